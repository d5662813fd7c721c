/// A complete HTTP request as the API router sees it, and its response.
struct HTTPRequest {
    var method: String
    /// The raw path, as signed by the client (not percent-decoded).
    var path: String
    var query: [(String, String)]
    var body: [UInt8]
}

struct HTTPResponse {
    var status: Int
    var body: String
    var headers: [(String, String)] = []

    static func json(_ body: String, status: Int = 200) -> HTTPResponse { HTTPResponse(status: status, body: body) }
}
