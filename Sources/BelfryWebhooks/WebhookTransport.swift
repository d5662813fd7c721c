import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends one webhook request and says what its result means. The service uses HTTP; tests
/// pass a fake.
public protocol WebhookTransport: Sendable {
    func send(_ request: WebhookRequest, timeout: Duration) async -> RetryPolicy.Outcome
    func shutdown() async
}

/// async-http-client with TLS verified (its default), no redirects followed (a webhook answered
/// with 3xx is not delivered) and a connection pool per host.
public struct HTTPTransport: WebhookTransport {
    private let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(_ request: WebhookRequest, timeout: Duration) async -> RetryPolicy.Outcome {
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let (seconds, attoseconds) = timeout.components
            let response = try await client.execute(
                http, timeout: .milliseconds(seconds * 1000 + attoseconds / 1_000_000_000_000_000))
            // Read (and discard) a short answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return RetryPolicy.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
        } catch let error as HTTPClientError {
            // A url the client cannot use will never work: not worth retrying.
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) || "\(error)".contains("unsupportedScheme") {
                return .rejected(status: 0)
            }
            if [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
                return .retryable(reason: "timeout", retryAfter: nil)
            }
            return .retryable(reason: "\(error)", retryAfter: nil)
        } catch {
            return .retryable(reason: "\(error)", retryAfter: nil)
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
