import Crypto
import Foundation

/// The server's half of the WebSocket opening handshake (RFC 6455 §4.2.2).
public enum WebSocketAccept {
    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
    public static func value(forKey key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }

    /// A key is acceptable when it is the base64 encoding of 16 bytes (§4.1).
    public static func isValidKey(_ key: String) -> Bool {
        Data(base64Encoded: key)?.count == 16
    }
}
