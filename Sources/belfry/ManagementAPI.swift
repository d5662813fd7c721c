import BelfryJSON
import BelfryManifest
import BelfryPlan
import BelfryReconciler
import BelfryServer
import BelfrySource
import BelfryStore
import Crypto
import Foundation
import Logging

/// The management API on the admin port (`/api/v1/apps…`, `/api/v1/users…`): objects are
/// the manifests themselves as JSON. It never fights git: a write edits the manifest files,
/// validates the whole set exactly as `belfry validate` does, commits and pushes it (a
/// directory source is written in place), then has the reconciler apply what the source now
/// says and answers with the commit, the plan and the pass.
struct ManagementAPI: Sendable {
    let server: PusherServer
    let reconciler: Reconciler
    let store: Store
    let source: any ConfigSource
    let writer: any ManifestWriter
    let secrets: SecretPolicy
    /// In a cluster: where rotations and deletions of generated and retiring secrets go first,
    /// so the other nodes verify what this one does.
    var cluster: (any ClusterCredentials)? = nil
    var logger = Logger(label: "belfry")

    enum Kind: String {
        case app = "App"
        case user = "User"

        var collection: String { self == .app ? "apps" : "users" }
    }

    /// The response for a management route, or nil when the path is not one.
    func handle(_ request: AdminServer.Request) async -> AdminServer.Response? {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "api", "v1", "apps", name?, action?]
        guard parts.count >= 4, parts[1] == "api", parts[2] == "v1",
            let kind = parts[3] == "apps" ? Kind.app : parts[3] == "users" ? Kind.user : nil
        else { return nil }
        let name = parts.count > 4 ? parts[4] : nil
        let action = parts.count > 5 ? parts[5] : nil
        guard parts.count <= 6 else { return Problem.notFound("No route for \(request.path)").response }
        let dryRun = ["true", "1"].contains(request.query("dryRun") ?? "")
        do {
            switch (request.method, name, action) {
            case ("GET", nil, nil), ("HEAD", nil, nil): return try await list(kind)
            case ("GET", let name?, nil), ("HEAD", let name?, nil): return try await get(kind, name)
            case ("POST", nil, nil): return try await create(kind, request, dryRun: dryRun)
            case ("PATCH", let name?, nil): return try await patch(kind, name, request, dryRun: dryRun)
            case ("DELETE", let name?, nil): return try await delete(kind, name, request, dryRun: dryRun)
            case ("POST", let name?, "rotate-secret") where kind == .app:
                return try await rotate(name, request, dryRun: dryRun)
            default:
                var response = Problem(
                    status: 405, title: "Method not allowed",
                    detail: "\(request.method) is not allowed on \(request.path)"
                ).response
                // RFC 9110: a 405 names the methods that are allowed.
                let allowed = name == nil ? "GET, HEAD, POST" : action == nil ? "GET, HEAD, PATCH, DELETE" : "POST"
                response.headers.append(("Allow", allowed))
                return response
            }
        } catch let problem as Problem {
            return problem.response
        } catch {
            return Problem(status: 500, title: "Internal error", detail: "\(error)").response
        }
    }

    // MARK: Reads

    private func list(_ kind: Kind) async throws -> AdminServer.Response {
        let revision = try await fetch()
        let editor = ManifestEditor(files: Self.files(revision))
        let set = revision.manifestSet
        let names = kind == .app ? set.apps.map(\.name) : set.users.map(\.user.name)
        var items: [JSONValue] = []
        for name in names.sorted() {
            if case .success(let object) = editor.object(ManifestIdentity(kind: kind.rawValue, name: name)) {
                items.append(withStatus(Self.masked(object), kind, name))
            }
        }
        return .init(body: JSONValue.object([(kind.collection, .array(items))]).serialized)
    }

    private func get(_ kind: Kind, _ name: String) async throws -> AdminServer.Response {
        let revision = try await fetch()
        let object = try Self.object(kind, name, in: ManifestEditor(files: Self.files(revision)))
        return .init(
            body: withStatus(Self.masked(object), kind, name).serialized, headers: [("ETag", Self.etag(object))])
    }

    /// The object with a read-only `status` (as Kubernetes objects have): an applied App's
    /// live figures. It is not part of the manifest; writes ignore it.
    private func withStatus(_ object: JSONValue, _ kind: Kind, _ name: String) -> JSONValue {
        guard kind == .app, case .object(var fields) = object else { return object }
        guard let app = server.statistics().first(where: { $0.name == name }) else {
            fields.append(("status", .object([("applied", .bool(false))])))
            return .object(fields)
        }
        let c = app.counters
        func n(_ value: Int) -> JSONValue { .number(String(value)) }
        fields.append(
            (
                "status",
                .object([
                    ("applied", .bool(true)), ("id", .string(app.appID)), ("enabled", .bool(app.enabled)),
                    ("connections", n(c.connections)), ("channels", n(c.channels)),
                    ("newConnections", n(c.newConnections)), ("messagesReceived", n(c.messagesReceived)),
                    ("messagesDelivered", n(c.messagesDelivered)), ("bytesIn", n(c.bytesIn)),
                    ("bytesOut", n(c.bytesOut)), ("httpBytesIn", n(c.httpBytesIn)), ("httpBytesOut", n(c.httpBytesOut)),
                ])
            ))
        return .object(fields)
    }

    // MARK: Helpers shared by reads and writes

    /// The newest revision of the source (off the cooperative pool: a fetch blocks).
    func fetch() async throws -> SourceRevision {
        let source = self.source
        do {
            return try await Task.detached { () throws(SourceError) -> SourceRevision in try source.fetch() }.value
        } catch {
            throw Problem.unavailable("Cannot read the source: \(error)")
        }
    }

    static func files(_ revision: SourceRevision) -> [String: String] {
        Dictionary(revision.files.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
    }

    static func object(_ kind: Kind, _ name: String, in editor: ManifestEditor) throws -> JSONValue {
        switch editor.object(ManifestIdentity(kind: kind.rawValue, name: name)) {
        case .success(let object): return object
        case .failure(.notFound): throw Problem.notFound("No \(kind.rawValue) named \(name) in the source")
        case .failure(let error): throw Problem.conflict("\(error)")
        }
    }

    /// A strong validator of an object as it is in the source (secrets included, so a changed
    /// secret changes it), for `ETag` / `If-Match`.
    static func etag(_ object: JSONValue) -> String {
        let digest = SHA256.hash(data: Array(object.serialized.utf8))
        return "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// The object as GET shows it: a secret value and a password hash masked; references
    /// (`env`, `file`) shown, they are not secrets.
    static func masked(_ object: JSONValue) -> JSONValue {
        guard case .object(var fields) = object, let specIndex = fields.firstIndex(where: { $0.0 == "spec" }),
            case .object(var spec) = fields[specIndex].1
        else { return object }
        for index in spec.indices {
            switch spec[index].0 {
            case "secret":
                if case .object(let reference) = spec[index].1, reference.contains(where: { $0.0 == "value" }) {
                    spec[index].1 = .object(reference.map { $0.0 == "value" ? ($0.0, .string("********")) : $0 })
                }
            case "passwordHash":
                spec[index].1 = .string("********")
            default:
                continue
            }
        }
        fields[specIndex].1 = .object(spec)
        return .object(fields)
    }
}

/// The author of a commit made through the API: the User behind the request.
struct CommitAuthor: Sendable, Equatable {
    var name: String
    var email: String
    /// For logs and commit messages: `user alice (token ci)`.
    var caller: String
}

/// Where a write goes: a commit pushed to the git source's remote, or the directory in place.
protocol ManifestWriter: Sendable {
    /// Writes `changes` (paths relative to the manifests directory; nil deletes a file) on top
    /// of the revision `base` that was read and validated.
    func write(_ changes: [String: String?], base: String, author: CommitAuthor, message: String) async
        -> WriteOutcome
}

enum WriteOutcome: Sendable, Equatable {
    /// Written; the commit id for a git source.
    case written(commit: String?)
    /// The source moved since `base` was read: read, validate and try again. The remote's words
    /// when it refused the push (a concurrent push, or a hook that declined it).
    case baseMoved(remote: String?)
    /// The remote refused it (no write access, a protected branch, a hook): 403 with the reason.
    case refused(String)
    /// A concurrent change won the race: 409.
    case conflict(String)
    case failed(String)
}
