/// The scripts behind the credentials the nodes share (`ClusterNode+Credentials`): one
/// generated secret per app, whoever asks first, and the rotated secrets still in their grace.
extension ClusterScript {
    /// The app's generated secret: the one kept, or else ARGV[2], kept now (the first node's
    /// candidate wins). KEYS: secrets. ARGV: app name, candidate. Returns the secret.
    public static let agree = ClusterScript(
        """
        local secret = redis.call('HGET', KEYS[1], ARGV[1])
        if secret then return secret end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return ARGV[2]
        """)

    /// Forgets an app's generated secret and its retiring ones (the app was deleted).
    /// KEYS: secrets, retiring. ARGV: app name. Returns the number of retiring secrets dropped.
    public static let forgetCredentials = ClusterScript(
        """
        redis.call('HDEL', KEYS[1], ARGV[1])
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
