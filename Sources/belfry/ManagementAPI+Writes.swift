import BelfryJSON
import BelfryManifest
import BelfryPlan
import BelfryReconciler
import BelfryServer
import BelfrySource
import BelfryStore
import Foundation

/// Writes of the management API: create, patch, delete, rotate. Each goes through `commit`.
extension ManagementAPI {
    /// What one write does to the newest revision's files, and what it adds to the answer.
    struct Edit {
        var change: ManifestChange
        /// The object as the file will hold it (nil for a delete).
        var object: JSONValue?
        var summary: String
    }

    func create(_ kind: Kind, _ request: AdminServer.Request, dryRun: Bool) async throws -> AdminServer.Response {
        guard case .object = try Self.body(request) else { throw Problem.badRequest("The body must be a JSON object") }
        var object = try Self.body(request)
        guard object["kind"]?.stringValue == kind.rawValue else {
            throw Problem.badRequest("POST /api/v1/\(kind.collection) takes a manifest with kind: \(kind.rawValue)")
        }
        guard let name = object["metadata"]?["name"]?.stringValue else {
            throw Problem.badRequest("metadata.name is required")
        }
        if kind == .app { object = Self.withGeneratedIDs(object, taken: server.currentConfiguration) }
        let created = object
        var response = try await commit(request, dryRun: dryRun, status: 201) { editor, _ in
            switch editor.create(object: created) {
            case .success(let change):
                return Edit(change: change, object: created, summary: "create \(kind.rawValue) \(name)")
            case .failure(.alreadyExists(_, let location)):
                throw Problem.conflict("\(kind.rawValue) \(name) already exists (\(location))")
            case .failure(let error):
                throw Problem.badRequest("\(error)")
            }
        }
        if kind == .app, !dryRun, response.status == 201, created["spec"]?["secret"] == nil,
            let secret = try? await store.credential(forApp: name)
        {
            // A generated secret is kept by the server, never in git: shown once, here.
            response = Self.adding(("generatedSecret", .string(secret)), to: response)
        }
        return response
    }

    func patch(_ kind: Kind, _ name: String, _ request: AdminServer.Request, dryRun: Bool) async throws
        -> AdminServer.Response
    {
        let patch = try Self.body(request)
        return try await commit(request, dryRun: dryRun) { editor, _ in
            let current = try Self.object(kind, name, in: editor)
            try Self.check(ifMatch: request, current)
            let updated = JSONMergePatch.apply(patch: patch, to: current)
            guard updated["kind"]?.stringValue == kind.rawValue, updated["metadata"]?["name"]?.stringValue == name
            else { throw Problem.badRequest("kind and metadata.name cannot be changed by a patch") }
            switch editor.replace(object: updated) {
            case .success(let change):
                return Edit(change: change, object: updated, summary: "update \(kind.rawValue) \(name)")
            case .failure(let error): throw Problem.badRequest("\(error)")
            }
        }
    }

    func delete(_ kind: Kind, _ name: String, _ request: AdminServer.Request, dryRun: Bool) async throws
        -> AdminServer.Response
    {
        if kind == .user, request.caller?.user == name {
            throw Problem.forbidden("A User cannot delete themselves (\(name)); ask another User")
        }
        var response = try await commit(request, dryRun: dryRun) { editor, revision in
            let current = try Self.object(kind, name, in: editor)
            try Self.check(ifMatch: request, current)
            if kind == .user, revision.manifestSet.users.count <= 1 {
                throw Problem.forbidden("\(name) is the last User; create another one first")
            }
            switch editor.delete(ManifestIdentity(kind: kind.rawValue, name: name)) {
            case .success(let change):
                return Edit(change: change, object: nil, summary: "delete \(kind.rawValue) \(name)")
            case .failure(let error): throw Problem.badRequest("\(error)")
            }
        }
        if kind == .app, !dryRun, server.currentConfiguration.apps.allSatisfy({ $0.name != name }) {
            // Gone from the server: its generated and retiring secrets go too.
            try? await store.deleteCredential(app: name)
            try? await store.dropRetiringSecrets(app: name)
            if let cluster, case .failure(let problem) = await cluster.forgetSecrets(app: name, ifSecretIs: nil) {
                // The app is gone already: say what did not propagate rather than fail.
                let warning =
                    "App \(name) is deleted, but the cluster could not forget its secrets (\(problem.reason)): "
                    + "a new App \(name) would get the old generated secret until the field \(name) is removed "
                    + "from the Redis hash PREFIX:secrets (HDEL)"
                logger.error(
                    "cannot forget a deleted app's secrets in the cluster",
                    metadata: ["app": "\(name)", "error": "\(problem.reason)"])
                response = Self.adding(("warning", .string(warning)), to: response)
            }
        }
        return response
    }

    /// `POST /api/v1/apps/{name}/rotate-secret` `{"gracePeriodSeconds": N}`: a new secret; the old
    /// one keeps verifying for the grace period (default 0). A `value` secret is rewritten in the
    /// manifest; a generated one is replaced in the database; `env` / `file` are rotated at
    /// their source (409).
    func rotate(_ name: String, _ request: AdminServer.Request, dryRun: Bool) async throws -> AdminServer.Response {
        let body = request.body.isEmpty ? JSONValue.object([]) : try Self.body(request)
        let grace = body["gracePeriodSeconds"]?.intValue ?? 0
        guard grace >= 0, grace <= 30 * 86400 else {
            throw Problem.badRequest("gracePeriodSeconds must be 0 to 2592000 (30 days)")
        }
        let revision = try await fetch()
        let editor = ManifestEditor(files: Self.files(revision))
        let current = try Self.object(.app, name, in: editor)
        try Self.check(ifMatch: request, current)
        guard let old = server.currentConfiguration.apps.first(where: { $0.name == name })?.secret else {
            throw Problem.conflict("App \(name) is not applied yet; rotate once it is")
        }
        let secret = current["spec"]?["secret"]
        if let secret, secret["value"] == nil {
            throw Problem.conflict(
                "App \(name) takes its secret from \(secret.serialized): rotate it at that source, then reconcile")
        }
        let fresh = Store.randomHex(bytes: 16)
        let until = Int64(Date().timeIntervalSince1970) + Int64(grace)
        if dryRun {
            return .init(
                body: JSONValue.object([
                    ("dryRun", .bool(true)), ("app", .string(name)), ("gracePeriodSeconds", .number(String(grace))),
                    ("source", .string(secret == nil ? "generated" : "value")),
                ]).serialized)
        }
        // In a cluster, Redis first: when it cannot take the change nothing is changed (503).
        if let cluster {
            if grace > 0 {
                try Self.requireShared(await cluster.addRetiringSecret(app: name, secret: old, until: until), name)
            }
            if secret == nil { try Self.requireShared(await cluster.replaceSecret(app: name, secret: fresh), name) }
        }
        // Durable before it takes effect: the old secret keeps verifying from now on.
        if grace > 0 { try await store.addRetiringSecret(app: name, secret: old, until: until) }
        var response: AdminServer.Response
        if secret == nil {
            let since = reconciler.nextPassNumber
            try await store.storeCredential(app: name, secret: fresh)
            cluster?.announceConfigurationChange()
            let pass = await reconciler.passAfterWrite(.manual, since: since, timeout: .seconds(30))
            response = .init(
                body: JSONValue.object([
                    ("app", .string(name)), ("pass", Self.json(pass)),
                ]).serialized)
        } else {
            var updated = current
            updated = JSONMergePatch.apply(
                patch: .object([("spec", .object([("secret", .object([("value", .string(fresh))]))]))]), to: updated)
            let rotated = updated
            response = try await commit(request, dryRun: false) { editor, _ in
                switch editor.replace(object: rotated) {
                case .success(let change):
                    return Edit(change: change, object: rotated, summary: "rotate the secret of App \(name)")
                case .failure(let error): throw Problem.badRequest("\(error)")
                }
            }
        }
        response = Self.adding(("secret", .string(fresh)), to: response)
        return Self.adding(
            (
                "previousSecretValidUntil",
                grace > 0
                    ? .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(until)))) : .null
            ), to: response)
    }

    /// 503 when the cluster could not take a rotation; nothing was changed then (at worst the
    /// cluster keeps the current secret as a retiring one too, which changes no verdict).
    static func requireShared(_ result: Result<Void, ClusterUnavailable>, _ name: String) throws {
        guard case .failure(let problem) = result else { return }
        throw Problem(
            status: 503, title: "Cluster unavailable",
            detail: "Cannot rotate the secret of App \(name) on every node: \(problem.reason); nothing was changed")
    }

    // MARK: The write path

    /// Runs `edit` on the newest revision, validates the resulting set as `belfry validate`
    /// does, plans it against the server, and (unless a dry run) writes it and waits for the
    /// reconcile pass that applies it. A concurrent change is read again and the edit retried
    /// once, then 409.
    func commit(
        _ request: AdminServer.Request, dryRun: Bool, status: Int = 200,
        _ edit: (ManifestEditor, SourceRevision) throws -> Edit
    ) async throws -> AdminServer.Response {
        let author = author(of: request)
        for attempt in 1...2 {
            let revision = try await fetch()
            let files = Self.files(revision)
            let planned = try edit(ManifestEditor(files: files), revision)
            let next = planned.change.applied(to: files)
            let plan = try await validate(
                next, like: revision, source: Self.planSource(base: revision, summary: planned.summary, author: author))
            let changes: [JSONValue] = planned.change.files.keys.sorted().map { path in
                .object([
                    ("path", .string(path)),
                    (
                        "action",
                        .string(
                            planned.change.files[path]! == nil ? "delete" : files[path] == nil ? "create" : "update")
                    ),
                ])
            }
            var fields: [(String, JSONValue)] = [
                ("dryRun", .bool(dryRun)), ("change", .string(planned.change.description)), ("files", .array(changes)),
                ("plan", plan.jsonValue),
            ]
            if let object = planned.object { fields.append(("object", Self.masked(object))) }
            if dryRun { return .init(status: 200, body: JSONValue.object(fields).serialized) }
            let message =
                "belfry: \(planned.summary)\n\n\(planned.change.description)\nRequested by \(author.caller) through the management API."
            let since = reconciler.nextPassNumber
            switch await writer.write(planned.change.files, base: revision.revision, author: author, message: message) {
            case .written(let commit):
                // The other nodes of a cluster read the source now too, rather than at their interval.
                cluster?.announceConfigurationChange()
                let pass = await reconciler.passAfterWrite(.manual, since: since, timeout: .seconds(30))
                fields.append(("commit", commit.map(JSONValue.string) ?? .null))
                fields.append(("pass", Self.json(pass)))
                var headers: [(String, String)] = []
                if let object = planned.object { headers.append(("ETag", Self.etag(object))) }
                return .init(status: status, body: JSONValue.object(fields).serialized, headers: headers)
            case .baseMoved where attempt == 1:
                continue
            case .baseMoved(let remote):
                throw Problem.conflict(
                    "The source changed twice while this write was prepared; read it again and retry"
                        + (remote.map { " (the remote refused the push: \($0))" } ?? ""))
            case .conflict(let reason):
                throw Problem.conflict(reason)
            case .refused(let reason):
                throw Problem.forbidden("The source refused the write: \(reason)")
            case .failed(let reason):
                throw Problem(status: 502, title: "Write failed", detail: reason)
            }
        }
        throw Problem.conflict("The source kept changing; retry")
    }

    /// The plan of a set of files, or 422 with every located error (the same checks as
    /// `belfry validate`, secrets resolved as the server would).
    private func validate(
        _ files: [String: String], like revision: SourceRevision, source: Plan.Source
    ) async throws -> Plan {
        let next = SourceRevision(
            files: files.map { SourceRevision.File(path: $0.key, text: $0.value) }, revision: "pending",
            label: "pending", secretsRoot: revision.secretsRoot, branch: revision.branch)
        let set = next.manifestSet
        // Apps without a secret use the one the server keeps; a new one gets it when applied
        // (a placeholder validates it now, and nothing is generated by a dry run).
        var generated: [String: String] = [:]
        for name in set.appsWithoutSecret {
            generated[name] = (try? await store.credential(forApp: name)) ?? "generated"
        }
        switch next.snapshot(generatedSecrets: generated, set: set, secrets: secrets) {
        case .failure(let errors):
            throw Problem.invalid(
                "The change does not validate; nothing was written", errors: errors.errors.map(\.description))
        case .success(let snapshot):
            let plan = Plan(
                desired: snapshot, current: server.currentConfiguration, source: source, allowEmpty: set.allowsEmpty)
            if let refusal = plan.refusal {
                throw Problem.invalid("The change is refused; nothing was written", errors: ["\(refusal)"])
            }
            return plan
        }
    }

    /// Who the commit is by: the User behind the token or session, else the admin token.
    private func author(of request: AdminServer.Request) -> CommitAuthor {
        let caller = request.caller?.description ?? "admin token"
        if let name = request.caller?.user,
            let user = server.currentConfiguration.users.first(where: { $0.name == name })
        {
            return CommitAuthor(name: user.name, email: user.email, caller: caller)
        }
        return CommitAuthor(name: "Belfry admin", email: "admin@belfry.invalid", caller: caller)
    }

    // MARK: Pure helpers

    /// What a write's plan names as its source: the revision it is made on plus this change,
    /// `main@9f77800+change "create App shop" by alice` (no commit exists yet).
    static func planSource(base: SourceRevision, summary: String, author: CommitAuthor) -> Plan.Source {
        let reference = Plan.Source(revision: base.revision).shortRevision
        return Plan.Source(branch: base.branch, revision: reference + "+change", subject: summary, author: author.name)
    }

    /// The request's JSON body, without a read-only `status` a client may send back.
    static func body(_ request: AdminServer.Request) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw Problem.badRequest("The body is not JSON: \(error)")
        }
        guard case .object(let fields) = value else { return value }
        return .object(fields.filter { $0.0 != "status" })
    }

    /// 412 unless `If-Match` (when sent) names the object as it is now.
    static func check(ifMatch request: AdminServer.Request, _ current: JSONValue) throws {
        guard let expected = request.header("If-Match"), expected != "*" else { return }
        let tags = expected.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains(etag(current)) else {
            throw Problem.preconditionFailed("The object changed since it was read (ETag \(etag(current)))")
        }
    }

    /// An App created without `id` or `key` gets fresh Pusher-shaped ones: a 7-digit id and a
    /// 20-character hex key, unused by the applied apps.
    static func withGeneratedIDs(_ object: JSONValue, taken: ConfigSnapshot) -> JSONValue {
        var spec = object["spec"] ?? .object([])
        var generator = SystemRandomNumberGenerator()
        if spec["id"] == nil {
            var id: String
            repeat {
                id = String(Int.random(in: 1_000_000...9_999_999, using: &generator))
            } while taken.app(id: id) != nil
            spec = JSONMergePatch.apply(patch: .object([("id", .string(id))]), to: spec)
        }
        if spec["key"] == nil {
            var key: String
            repeat { key = Store.randomHex(bytes: 10) } while taken.app(key: key) != nil
            spec = JSONMergePatch.apply(patch: .object([("key", .string(key))]), to: spec)
        }
        return JSONMergePatch.apply(patch: .object([("spec", spec)]), to: object)
    }

    static func json(_ pass: PassRecord?) -> JSONValue {
        guard let pass else { return .object([("result", .string("pending"))]) }
        var fields: [(String, JSONValue)] = [("result", .string(pass.result.rawValue))]
        if let revision = pass.revision { fields.append(("revision", .string(revision))) }
        if let error = pass.error { fields.append(("error", .string(error))) }
        return .object(fields)
    }

    static func adding(_ field: (String, JSONValue), to response: AdminServer.Response) -> AdminServer.Response {
        guard var object = try? JSONParser.parse(response.body), case .object(var fields) = object else {
            return response
        }
        fields.append(field)
        object = .object(fields)
        var response = response
        response.body = object.serialized
        return response
    }
}
