/// The scripts behind the credentials the nodes share (`ClusterNode+Credentials`): one
/// generated secret per app, whoever asks first, and the rotated secrets still in their grace.
extension ClusterScript {
    /// The app's generated secret: the one kept, or else the candidate ARGV[2], kept now (the
    /// first node's candidate wins). After the app's secrets were forgotten (it was deleted) the
    /// candidate may be a node's copy of the deleted secret (a node that has not applied the
    /// delete yet), so the fresh ARGV[3] is kept instead: a deleted secret never comes back.
    /// KEYS: secrets, forgotten. ARGV: app name, candidate, fresh. Returns the secret.
    public static let agree = ClusterScript(
        """
        local secret = redis.call('HGET', KEYS[1], ARGV[1])
        if secret then return secret end
        local chosen = ARGV[2]
        if redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then chosen = ARGV[3] end
        redis.call('HSET', KEYS[1], ARGV[1], chosen)
        return chosen
        """)

    /// Forgets an app's generated secret and its retiring ones (the app was deleted), and marks
    /// it forgotten until a new secret is agreed. With a non-empty ARGV[2], only when the kept
    /// secret is that one or none: a node applying a deletion late does not forget the secret
    /// of an app created again since. KEYS: secrets, retiring, forgotten. ARGV: app name, the
    /// secret it had (or ""). Returns the number of retiring secrets dropped, -1 when kept.
    public static let forgetCredentials = ClusterScript(
        """
        local kept = redis.call('HGET', KEYS[1], ARGV[1])
        if ARGV[2] ~= '' and kept and kept ~= ARGV[2] then return -1 end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[3], ARGV[1], redis.call('TIME')[1])
        local prefix = ARGV[1] .. '\\n'
        local dropped = 0
        for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
          if string.sub(field, 1, #prefix) == prefix then
            redis.call('HDEL', KEYS[2], field)
            dropped = dropped + 1
          end
        end
        return dropped
        """)

    /// The retiring secrets still in their grace at Redis's time, as {`APP\\nSECRET`, until…};
    /// expired ones are removed. KEYS: retiring.
    public static let retiring = ClusterScript(
        """
        local now = tonumber(redis.call('TIME')[1])
        local flat = redis.call('HGETALL', KEYS[1])
        local out = {}
        for i = 1, #flat, 2 do
          if tonumber(flat[i + 1]) <= now then
            redis.call('HDEL', KEYS[1], flat[i])
          else
            out[#out + 1] = flat[i]
            out[#out + 1] = flat[i + 1]
          end
        end
        return out
        """)
}
