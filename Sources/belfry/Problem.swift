import BelfryJSON
import BelfryServer

/// An RFC 7807 `application/problem+json` answer of the management API: a status, a title, what
/// went wrong and, for invalid manifests, every error with where it is.
struct Problem: Error, Sendable {
    var status: Int
    var title: String
    var detail: String
    /// Located errors (`file:line:column: message`) of a manifest set that does not validate.
    var errors: [String] = []

    static func badRequest(_ detail: String) -> Problem { Problem(status: 400, title: "Bad request", detail: detail) }
    static func notFound(_ detail: String) -> Problem { Problem(status: 404, title: "Not found", detail: detail) }
    static func forbidden(_ detail: String) -> Problem { Problem(status: 403, title: "Forbidden", detail: detail) }
    static func conflict(_ detail: String) -> Problem { Problem(status: 409, title: "Conflict", detail: detail) }
    static func preconditionFailed(_ detail: String) -> Problem {
        Problem(status: 412, title: "Precondition failed", detail: detail)
    }
    static func invalid(_ detail: String, errors: [String]) -> Problem {
        Problem(status: 422, title: "Invalid manifests", detail: detail, errors: errors)
    }
    static func unavailable(_ detail: String) -> Problem {
        Problem(status: 503, title: "Source unavailable", detail: detail)
    }

    var response: AdminServer.Response {
        var fields: [(String, JSONValue)] = [
            ("type", .string("about:blank")), ("title", .string(title)), ("status", .number(String(status))),
            ("detail", .string(detail)),
        ]
        if !errors.isEmpty { fields.append(("errors", .array(errors.map(JSONValue.string)))) }
        return AdminServer.Response(
            status: status, body: JSONValue.object(fields).serialized, contentType: "application/problem+json")
    }
}
