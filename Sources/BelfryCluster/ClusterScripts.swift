import Crypto

/// The Lua scripts that keep the cluster's state in Redis. Each runs atomically, so the
/// decisions a peer makes by counting across nodes (Soketi, Sockudo) and gets wrong under races
/// are made here once: a channel's first subscription anywhere (occupied), its last (vacated),
/// a user's first connection anywhere (`member_added`) and last (`member_removed`).
///
/// Nodes write their *own share* of a channel as absolute numbers, never increments: writing
/// the same share twice changes nothing, so a node that lost Redis for a while, or a Redis that
/// restarted empty, is brought right by writing every share again (the resync).
///
/// Time is Redis's (`TIME`), so the nodes' clocks do not matter. The scripts touch keys they
/// compute from the prefix, which a standalone Redis (or Sentinel) allows and Redis Cluster
/// does not.
public struct ClusterScript: Sendable {
    public let source: String
    public let sha1: String

    init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `EVALSHA` of the script (Redis answers `NOSCRIPT` when it does not know it: send
    /// `eval` then).
    public func evalsha(keys: [String], arguments: [[UInt8]]) -> [[UInt8]] {
        [Array("EVALSHA".utf8), Array(sha1.utf8), Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) }
            + arguments
    }

    /// The same command with the script's source (`EVAL`), for a Redis that lost its scripts.
    public func eval(_ evalsha: [[UInt8]]) -> [[UInt8]] {
        [Array("EVAL".utf8), Array(source.utf8)] + evalsha.dropFirst(2)
    }

    /// Writes one node's share of a channel and returns what changed cluster-wide.
    ///
    /// KEYS: ch, chans, idx, pn, pm, pi, due, cm, node (see `ClusterKeys`).
    /// ARGV: node, app, channel, subscriptions, presence (0/1), full (0/1: users of this node
    /// not listed have left), max members (-1: none), roster wanted (0/1), reap (0/1: only while
    /// the node is dead), delay ms, then user id / connections / user_info triples.
    ///
    /// Returns {before, after, occupied (1: raise channel_occupied), added {user, info, webhook
    /// (0/1)…}, removed {user…}, refused {user…}, roster {user, info…}, user count}, or {-1} when
    /// a reap finds the node alive again. A `channel_vacated` or `member_removed` is not
    /// returned: it goes into `due`, to be claimed by one node when its delay is over, unless
    /// the channel is occupied (the user back) first, which cancels both.
    public static let sync = ClusterScript(
        """
        local node, app, channel = ARGV[1], ARGV[2], ARGV[3]
        if ARGV[9] == '1' and redis.call('EXISTS', KEYS[9]) == 1 then return {-1} end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local delay = tonumber(ARGV[10])
        local subs = tonumber(ARGV[4])
        local before = 0
        for _, v in ipairs(redis.call('HVALS', KEYS[1])) do before = before + tonumber(v) end
        local old = tonumber(redis.call('HGET', KEYS[1], node) or '0')
        if subs > 0 then redis.call('HSET', KEYS[1], node, subs) else redis.call('HDEL', KEYS[1], node) end
        local after = before - old + subs
        local entry = app .. '\\n' .. channel
        if after > 0 then redis.call('SADD', KEYS[2], channel) else redis.call('SREM', KEYS[2], channel) end
        local occupied = 0
        local vacate = 'v\\n' .. entry
        if before == 0 and after > 0 then
          if redis.call('ZREM', KEYS[7], vacate) == 0 then occupied = 1 end
        elseif before > 0 and after == 0 then
          redis.call('ZADD', KEYS[7], now + delay, vacate)
          redis.call('DEL', KEYS[8])
        end
        local added, removed, refused, roster = {}, {}, {}, {}
        local function leave(user, mine)
          local total = tonumber(redis.call('HGET', KEYS[5], user) or '0') - mine
          redis.call('HDEL', KEYS[4], user)
          if total > 0 then
            redis.call('HSET', KEYS[5], user, total)
          else
            redis.call('HDEL', KEYS[5], user)
            redis.call('HDEL', KEYS[6], user)
            redis.call('ZADD', KEYS[7], now + delay, 'r\\n' .. entry .. '\\n' .. user)
            removed[#removed + 1] = user
          end
        end
        if ARGV[5] == '1' then
          local mine = {}
          local flat = redis.call('HGETALL', KEYS[4])
          for i = 1, #flat, 2 do mine[flat[i]] = tonumber(flat[i + 1]) end
          local max = tonumber(ARGV[7])
          local seen = {}
          for i = 11, #ARGV, 3 do
            local user, count, info = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
            seen[user] = true
            local o = mine[user] or 0
            if count == 0 and o > 0 then
              leave(user, o)
            elseif count > 0 and count ~= o then
              local total = tonumber(redis.call('HGET', KEYS[5], user) or '0')
              if total == 0 and max >= 0 and redis.call('HLEN', KEYS[5]) >= max then
                refused[#refused + 1] = user
              else
                redis.call('HSET', KEYS[4], user, count)
                redis.call('HSET', KEYS[5], user, total - o + count)
                if total == 0 then
                  redis.call('HSET', KEYS[6], user, info)
                  local back = redis.call('ZREM', KEYS[7], 'r\\n' .. entry .. '\\n' .. user)
                  added[#added + 1] = user
                  added[#added + 1] = info
                  added[#added + 1] = back == 1 and '0' or '1'
                end
              end
            end
          end
          if ARGV[6] == '1' then
            for user, o in pairs(mine) do
              if not seen[user] then leave(user, o) end
            end
          end
          if ARGV[8] == '1' then roster = redis.call('HGETALL', KEYS[6]) end
        end
        if subs > 0 or redis.call('EXISTS', KEYS[4]) == 1 then
          redis.call('SADD', KEYS[3], entry)
        else
          redis.call('SREM', KEYS[3], entry)
        end
        return {before, after, occupied, added, removed, refused, roster, redis.call('HLEN', KEYS[5])}
        """)

    /// Takes the delayed webhook events that are due, at most ARGV[1]; each goes to exactly one
    /// caller. KEYS: due.
    public static let claim = ClusterScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        for _, item in ipairs(items) do redis.call('ZREM', KEYS[1], item) end
        return items
        """)

    /// A node's heartbeat: records it (Redis time) and its info (expiring after ARGV[3] ms), and
    /// returns {dead node ids (silent for ARGV[4] ms), live node ids, their infos, whether Redis
    /// knew this node (0 after a Redis restart or a reap: write every share again)}.
    /// KEYS: nodes, node. ARGV: id, info, ttl ms, dead after ms, prefix.
    public static let beat = ClusterScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local known = redis.call('EXISTS', KEYS[2])
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
        local limit = now - tonumber(ARGV[4])
        local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. limit)
        local live = redis.call('ZRANGEBYSCORE', KEYS[1], limit, '+inf')
        local infos = {}
        for i, id in ipairs(live) do infos[i] = redis.call('GET', ARGV[5] .. ':node:' .. id) or '' end
        return {dead, live, infos, known}
        """)

    /// Forgets a reaped node once nothing of it is left and it did not come back.
    /// KEYS: nodes, node, idx. ARGV: id. Returns 1 when forgotten.
    public static let forget = ClusterScript(
        """
        if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('SCARD', KEYS[3]) > 0 then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        return 1
        """)

    /// Occupied channels of an app whose name starts with ARGV[2], with their subscriptions and
    /// users: {name, subscriptions, users…}. KEYS: chans. ARGV: key prefix of the app's
    /// channels (`P:`), channel name prefix, app id.
    public static let occupied = ClusterScript(
        """
        local out = {}
        local p, filter, app = ARGV[1], ARGV[2], ARGV[3]
        for _, channel in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if string.sub(channel, 1, #filter) == filter then
            local subs = 0
            for _, v in ipairs(redis.call('HVALS', p .. 'ch:' .. app .. ':' .. channel)) do subs = subs + tonumber(v) end
            if subs > 0 then
              out[#out + 1] = channel
              out[#out + 1] = subs
              out[#out + 1] = redis.call('HLEN', p .. 'pm:' .. app .. ':' .. channel)
            end
          end
        end
        return out
        """)

    /// Every script, to load after a (re)connect and to find by digest for `NOSCRIPT`.
    public static let all = [
        sync, claim, beat, forget, occupied, counts, agree, forgetCredentials, retiring, cacheSet,
    ]

    /// Keeps a cache channel's last event for the nodes that have no copy, and publishes it on the
    /// bus, in one step (so Redis keeps the event the bus delivered last). An app keeps at most
    /// ARGV[3] channels' events: the expired ones leave its index first, then those that expire
    /// soonest (the oldest), as each node's own copy does (`maxCacheEntriesPerApp`). The index
    /// lives as long as its longest-lived entry (nodes may run with different `--cache-ttl`).
    /// KEYS: cache, cidx, bus. ARGV: the entry (`ClusterCacheEntry.stored`), ttl ms, max
    /// entries, the app's cache key prefix, channel, envelope. Returns PUBLISH's answer.
    public static let cacheSet = ClusterScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[2])
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
        redis.call('ZADD', KEYS[2], now + ttl, ARGV[5])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
        if excess > 0 then
          local evicted = redis.call('ZPOPMIN', KEYS[2], excess)
          for i = 1, #evicted, 2 do redis.call('DEL', ARGV[4] .. evicted[i]) end
        end
        if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
        return redis.call('PUBLISH', KEYS[3], ARGV[6])
        """)

    /// Subscriptions and users of one channel: {subscriptions, users}. KEYS: ch, pm.
    public static let counts = ClusterScript(
        """
        local subs = 0
        for _, v in ipairs(redis.call('HVALS', KEYS[1])) do subs = subs + tonumber(v) end
        return {subs, redis.call('HLEN', KEYS[2])}
        """)
}
