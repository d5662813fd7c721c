import BelfryManifest
import Testing

@testable import BelfryServer

/// API tokens of the applied Users open `/api/v1/…` as their User, and nothing else: not the
/// pages, not `/internal/v1/…`, not `/metrics`; a token gone from the Users stops at once.
@Suite struct APITokenAccessTests {
    private let access = AdminAccess(allowedHosts: [], adminToken: "admin-secret", metricsToken: "m")
    private static let ciToken = "bfy_ci-token-of-alice"
    private static let bobToken = "bfy_deploy-token-of-bob"
    private static let users = [
        User(
            name: "alice", email: "alice@example.com", passwordHash: "",
            apiTokens: [
                APIToken(name: "laptop", sha256: APIToken.digest(of: "bfy_other")),
                APIToken(name: "ci", sha256: APIToken.digest(of: ciToken)),
            ]),
        User(
            name: "bob", email: "bob@example.com", passwordHash: "",
            apiTokens: [APIToken(name: "deploy", sha256: APIToken.digest(of: bobToken))]),
    ]

    private func check(
        _ method: String, _ path: String, bearer: String?, users: [User] = users
    ) -> AdminAccess.Decision {
        var headers = ["host": "127.0.0.1:9601"]
        if let bearer { headers["authorization"] = "Bearer " + bearer }
        return access.check(method: method, path: path, users: users) { headers[$0] }
    }

    @Test(arguments: ["/api/v1/status", "/api/v1/stats", "/api/v1/reconcile", "/api/v1/apps/chat"])
    func aUsersTokenOpensTheAPIAsThatUser(path: String) {
        #expect(check("GET", path, bearer: Self.ciToken) == .allow(as: .apiToken(user: "alice", token: "ci")))
        #expect(check("POST", path, bearer: Self.bobToken) == .allow(as: .apiToken(user: "bob", token: "deploy")))
    }

    @Test func aWrongOrMissingTokenNeedsASession() {
        let refused = AdminAccess.Decision.needsSession(otherwise: .unauthorized)
        #expect(check("GET", "/api/v1/status", bearer: "bfy_wrong") == refused)
        #expect(check("GET", "/api/v1/status", bearer: nil) == refused)
        #expect(check("GET", "/api/v1/status", bearer: "") == refused)
        // The digest is not the token.
        #expect(check("GET", "/api/v1/status", bearer: APIToken.digest(of: Self.ciToken)) == refused)
        #expect(check("GET", "/api/v1/status", bearer: Self.ciToken + " ") == refused)
    }

    @Test func aTokenRemovedFromTheUsersStopsWorking() {
        var users = Self.users
        users[0].apiTokens.removeAll { $0.name == "ci" }
        #expect(
            check("GET", "/api/v1/status", bearer: Self.ciToken, users: users)
                == .needsSession(otherwise: .unauthorized))
        #expect(
            check("GET", "/api/v1/status", bearer: Self.bobToken, users: [Self.users[0]])
                == .needsSession(otherwise: .unauthorized))
    }

    @Test(arguments: ["/", "/apps/chat", "/apps/chat/charts"])
    func pagesRefuseAPITokens(path: String) {
        // A page with a bearer header never redirects to the login page: it answers 401.
        #expect(check("GET", path, bearer: Self.ciToken) == .needsSession(otherwise: .unauthorized))
    }

    @Test func theInternalAPIAndMetricsRefuseAPITokens() {
        #expect(check("GET", "/internal/v1/state", bearer: Self.ciToken) == .refuse(.adminTokenRequired))
        #expect(check("POST", "/internal/v1/apply", bearer: Self.ciToken) == .refuse(.adminTokenRequired))
        #expect(check("GET", "/metrics", bearer: Self.ciToken) == .needsSession(otherwise: .unauthorized))
    }

    @Test func theAdminTokenStillOpensEverything() {
        for path in ["/api/v1/status", "/internal/v1/state", "/", "/metrics"] {
            #expect(check("GET", path, bearer: "admin-secret") == .allow(as: .adminToken), "\(path)")
        }
    }

    @Test func crossSiteWritesAreRefusedWithATokenToo() {
        let headers = [
            "host": "127.0.0.1:9601", "authorization": "Bearer " + Self.ciToken, "origin": "https://evil.example",
        ]
        #expect(
            access.check(method: "POST", path: "/api/v1/reconcile", users: Self.users) { headers[$0] }
                == .refuse(.crossSite))
    }

    @Test func callersAreNamedForLogsWithoutTokens() {
        #expect(AdminAccess.Caller.apiToken(user: "alice", token: "ci").description == "user alice (token ci)")
        #expect(AdminAccess.Caller.session(user: "alice").description == "user alice (session)")
        #expect(AdminAccess.Caller.adminToken.description == "admin token")
        #expect(AdminAccess.Caller.apiToken(user: "alice", token: "ci").user == "alice")
        #expect(AdminAccess.Caller.adminToken.user == nil)
    }

    @Test func refusalLogsSayWhatWasPresentedNotItsValue() {
        #expect(AdminRequestLog.credential(authorization: nil, cookie: nil) == "none")
        #expect(AdminRequestLog.credential(authorization: "Bearer " + Self.ciToken, cookie: nil) == "bearer token")
        #expect(
            AdminRequestLog.credential(authorization: "Bearer x", cookie: "a=b; belfry_session=s")
                == "bearer token and session cookie")
        #expect(AdminRequestLog.isAPI("/api/v1/apps") && AdminRequestLog.isAPI("/internal/v1/apply"))
        #expect(!AdminRequestLog.isAPI("/apps/chat"))
    }
}
