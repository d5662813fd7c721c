import BelfryJSON

/// An HTTP API failure: the status and the message returned as `{"error": message}`.
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ m: String) -> APIError { APIError(400, m) }
    public static func unauthorized(_ m: String) -> APIError { APIError(401, m) }
    public static func forbidden(_ m: String) -> APIError { APIError(403, m) }
    public static func notFound(_ m: String) -> APIError { APIError(404, m) }
    public static func tooLarge(_ m: String) -> APIError { APIError(413, m) }

    /// The JSON body sent to the client.
    public var body: String { "{\"error\":\(JSONText.quoted(message))}" }
}
