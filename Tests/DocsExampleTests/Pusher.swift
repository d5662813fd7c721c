// The Swift example of the documentation (docs/examples/swift.md): a small Pusher HTTP API client
// for server-side Swift, on AsyncHTTPClient and swift-crypto. It signs and sends events, answers
// private and presence channel auth requests and checks webhook signatures. tests/docs runs it
// against a real server through DocsExampleTests.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

struct Pusher {
    var appID: String
    var key: String
    var secret: String
    var baseURL: String  // "http://127.0.0.1:6001": the public port, where the HTTP API is served

    /// POST /apps/{app_id}/events: one event to up to 100 channels.
    func trigger(channels: [String], event: String, data: String, client: HTTPClient) async throws -> Int {
        let body = try JSONSerialization.data(withJSONObject: ["name": event, "channels": channels, "data": data])
        let path = "/apps/\(appID)/events"
        var request = HTTPClientRequest(url: baseURL + path + "?" + signedQuery("POST", path, body: body))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        return Int(response.status.code)
    }

    /// The query string of a signed request: auth_key, auth_timestamp, auth_version, body_md5 and
    /// auth_signature = HMAC-SHA256(secret, "METHOD\nPATH\nsorted query").
    func signedQuery(_ method: String, _ path: String, body: Data, now: Date = Date()) -> String {
        var params = [
            "auth_key": key, "auth_timestamp": String(Int(now.timeIntervalSince1970)), "auth_version": "1.0",
        ]
        if !body.isEmpty { params["body_md5"] = hex(Insecure.MD5.hash(data: body)) }
        let query = params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return query + "&auth_signature=" + sign("\(method)\n\(path)\n\(query)")
    }

    /// The answer of a private channel auth endpoint: {"auth": "key:signature"}.
    func authorizeChannel(socketID: String, channel: String) -> [String: String] {
        ["auth": "\(key):\(sign("\(socketID):\(channel)"))"]
    }

    /// The answer of a presence channel auth endpoint: the member's id and info are signed too.
    func authorizePresence(socketID: String, channel: String, userID: String, info: [String: String]) throws
        -> [String: String]
    {
        let member = try JSONSerialization.data(
            withJSONObject: ["user_id": userID, "user_info": info], options: [.sortedKeys])
        let channelData = String(decoding: member, as: UTF8.self)
        return ["auth": "\(key):\(sign("\(socketID):\(channel):\(channelData)"))", "channel_data": channelData]
    }

    /// A webhook is genuine when X-Pusher-Signature is HMAC-SHA256(secret, raw body) and
    /// X-Pusher-Key is this app's key. Compare in constant time.
    func isGenuineWebhook(body: Data, key: String, signature: String) -> Bool {
        guard key == self.key, let given = Data(hexString: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    private func sign(_ message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    private func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

extension Data {
    init?(hexString: String) {
        guard hexString.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
