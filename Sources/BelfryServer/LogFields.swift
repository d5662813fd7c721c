import Logging
import NIOCore

/// The fields every log line of the server spells the same way: `app` (the manifest name) with
/// `app_id`, numbers as numbers (`.stringConvertible`, which the JSON log format writes bare),
/// and `remote` as `ip:port`.
enum LogFields {
    /// `app` and `app_id`; the name is the id when the app is gone from the configuration.
    static func app(id: String, name: String?) -> Logger.Metadata {
        ["app": .string(name ?? id), "app_id": .string(id)]
    }

    static func number<T: BinaryInteger & Sendable>(_ value: T) -> Logger.MetadataValue {
        .stringConvertible(Int(value))
    }

    /// `127.0.0.1:48650`, `[::1]:48650`; `?` when unknown.
    static func remote(_ address: SocketAddress?) -> String {
        remote(ip: address?.ipText, port: address?.port)
    }

    static func remote(ip: String?, port: Int?) -> String {
        guard let ip, let port else { return "?" }
        return ip.utf8.contains(UInt8(ascii: ":")) ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

extension Logger.Metadata {
    /// Both sets of fields; `other` wins on a clash.
    func merging(_ other: Logger.Metadata) -> Logger.Metadata {
        merging(other) { $1 }
    }
}
