import NIOCore
import NIOSSL

/// TLS for `https://` and `wss://` targets: one client context per run, and the handler that
/// goes first in every subscriber's and publisher's pipeline.
struct TLSClient: @unchecked Sendable {
    // @unchecked Sendable: `NIOSSLContext` is thread-safe once built (it is only read).
    let context: NIOSSLContext
    /// Sent as SNI and checked against the certificate; nil for an IP address (SNI forbids it).
    let serverHostname: String?

    /// The system's trust roots, or no verification with `insecure`.
    init(host: String, insecure: Bool) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure { configuration.certificateVerification = .none }
        context = try NIOSSLContext(configuration: configuration)
        serverHostname = Self.isIPAddress(host) ? nil : host
    }

    func addHandler(to channel: Channel) throws {
        try channel.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: context, serverHostname: serverHostname))
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.filter { $0 != "[" && $0 != "]" }, port: 0)) != nil
    }

    /// An error as a report note: a TLS handshake refused for an untrusted certificate says so
    /// and names `--insecure`; anything else is described as it is.
    static func explain(_ error: Error) -> String {
        let text = String(describing: error)
        guard error is NIOSSLError, text.contains("CERTIFICATE_VERIFY_FAILED") else { return text }
        return "TLS handshake failed: the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); "
            + "--insecure accepts any certificate"
    }
}
