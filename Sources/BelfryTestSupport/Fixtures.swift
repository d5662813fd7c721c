import BelfryManifest

/// Credentials from the Pusher documentation's worked examples (`pusher.md` §1.13, §2.2).
public enum PusherDocsVectors {
    public static let key = "278d425bdf160c739803"
    public static let secret = "7ad3773142a6692b25b8"
    public static let socketID = "1234.1234"
}

/// Apps for tests.
public enum Fixtures {
    public static func app(
        name: String = "main", id: String = "1001", key: String = "main-key", secret: String = "main-secret",
        enabled: Bool = true, clientEvents: Bool = true
    ) -> App {
        App(name: name, id: id, key: key, secret: secret, enabled: enabled, clientEvents: clientEvents)
    }
}
