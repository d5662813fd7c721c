import BelfryManifest
import Foundation
import PusherProtocol

/// A signed `POST /apps/{id}/events` for `app`, as a Pusher server SDK sends it (auth_version
/// 1.0, body_md5), with its body: event `name` on `channel`, data `{}`.
func signedEventRequest(_ name: String, channel: String = "c", app: App) -> String {
    let body = #"{"name":"\#(name)","channel":"\#(channel)","data":"{}"}"#
    var query: [(String, String)] = [
        ("auth_key", app.key), ("auth_timestamp", String(Int(Date().timeIntervalSince1970))),
        ("auth_version", "1.0"), ("body_md5", Signature.md5Hex(Array(body.utf8))),
    ]
    let path = "/apps/\(app.id)/events"
    let signature = SigningKey(secret: app.secret).hex(
        RequestSignature.stringToSign(method: "POST", path: path, query: query))
    query.append(("auth_signature", signature))
    let target = path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    return "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
}
