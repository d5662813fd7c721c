import Testing

@testable import BelfryManifest

/// `spec.apiTokens` of a User: `{name, sha256}` entries, names unique within the User, digests
/// unique across Users, never the token itself; and the tokens `belfry token new` makes.
@Suite struct APITokenTests {
    static let digestA = String(repeating: "a", count: 64)
    static let digestB = String(repeating: "b", count: 64)

    /// `aliceUser` with `entries` (YAML lines under `apiTokens:`) appended; the list starts on line 9.
    private func alice(name: String = "alice", email: String = "alice@example.com", tokens entries: [String])
        -> String
    {
        aliceUser.replacingOccurrences(of: "name: alice", with: "name: \(name)")
            .replacingOccurrences(of: "alice@example.com", with: email)
            + "  apiTokens:\n" + entries.map { "    - \($0)\n" }.joined()
    }

    private func set(_ files: [(String, String)]) -> ManifestSet {
        ManifestSet(files.map { ManifestDecoder.decode(yaml: $0.1, file: $0.0) })
    }

    @Test func tokensAreReadInOrder() throws {
        let yaml = alice(tokens: [
            "{ name: ci, sha256: \"\(Self.digestA)\" }", "{ name: deploy-2, sha256: \(Self.digestB) }",
        ])
        let decoded = ManifestDecoder.decode(yaml: yaml, file: "u.yaml")
        #expect(decoded.errors == [])
        #expect(
            decoded.users.first?.user.apiTokens == [
                APIToken(name: "ci", sha256: Self.digestA), APIToken(name: "deploy-2", sha256: Self.digestB),
            ])
    }

    @Test func tokensAreOptional() {
        #expect(ManifestDecoder.decode(yaml: aliceUser, file: "u.yaml").users.first?.user.apiTokens == [])
    }

    @Test(arguments: [
        String(repeating: "A", count: 64), String(repeating: "a", count: 63), "bfy_not-a-digest",
        String(repeating: "g", count: 64),
    ])
    func aBadDigestIsRefusedWithoutRepeatingIt(digest: String) {
        let lines = errorLines(alice(tokens: ["{ name: ci, sha256: \"\(digest)\" }"]))
        #expect(
            lines == [
                "t.yaml:9:27: error: /spec/apiTokens/0/sha256: must be the SHA-256 of the token (64 lower-case hex "
                    + "digits, as `belfry token new` prints it), never the token itself"
            ])
        #expect(!lines.joined().contains(digest))
    }

    @Test func badNamesAndMissingFieldsAreSchemaErrors() {
        #expect(
            errorLines(alice(tokens: ["{ name: CI, sha256: \"\(Self.digestA)\" }"])).first?.hasPrefix(
                "t.yaml:9:15: error: /spec/apiTokens/0/name: \"CI\" must match pattern") == true)
        #expect(
            errorLines(alice(tokens: ["{ name: ci }"])) == [
                "t.yaml:9:7: error: /spec/apiTokens/0: missing required field \"sha256\""
            ])
        #expect(
            errorLines(alice(tokens: ["{ name: ci, sha256: \"\(Self.digestA)\", token: x }"])) == [
                "t.yaml:9:95: error: /spec/apiTokens/0/token: unknown field \"token\""
            ])
    }

    @Test func atMostTwentyTokens() {
        let entries = (0..<21).map { "{ name: t\($0), sha256: \"\(String(repeating: "c", count: 62))\($0 + 10)\" }" }
        #expect(
            errorLines(alice(tokens: entries)) == ["t.yaml:9:5: error: /spec/apiTokens: must have at most 20 items"])
        #expect(errorLines(alice(tokens: Array(entries.prefix(20)))) == [])
    }

    @Test func namesAreUniqueWithinAUser() {
        #expect(
            errorLines(
                alice(tokens: ["{ name: ci, sha256: \(Self.digestA) }", "{ name: ci, sha256: \(Self.digestB) }"]))
                == ["t.yaml:10:15: error: /spec/apiTokens/1/name: duplicate API token name \"ci\" (first at line 9)"])
    }

    @Test func twoUsersMayNameTheirTokensAlike() {
        let bob = alice(name: "bob", email: "bob@example.com", tokens: ["{ name: ci, sha256: \(Self.digestB) }"])
        let manifests = set([("a.yaml", alice(tokens: ["{ name: ci, sha256: \(Self.digestA) }"])), ("b.yaml", bob)])
        #expect(manifests.errors == [])
    }

    @Test func aDigestIsUniqueAcrossUsersReportedAtTheLaterOne() {
        let bob = alice(name: "bob", email: "bob@example.com", tokens: ["{ name: deploy, sha256: \(Self.digestA) }"])
        let manifests = set([("a.yaml", alice(tokens: ["{ name: ci, sha256: \(Self.digestA) }"])), ("b.yaml", bob)])
        #expect(
            manifests.errors.map(\.description) == [
                "b.yaml:9:31: error: /spec/apiTokens/0/sha256: duplicate API token digest \"\(Self.digestA)\" "
                    + "(already used by User \"alice\" (token \"ci\") at a.yaml:9:27)"
            ])
    }

    @Test func aDigestIsUniqueWithinAUserToo() {
        let yaml = alice(tokens: ["{ name: ci, sha256: \(Self.digestA) }", "{ name: cd, sha256: \(Self.digestA) }"])
        #expect(
            set([("a.yaml", yaml)]).errors.map(\.description) == [
                "a.yaml:10:27: error: /spec/apiTokens/1/sha256: duplicate API token digest \"\(Self.digestA)\" "
                    + "(already used by User \"alice\" (token \"ci\") at a.yaml:9:27)"
            ])
    }

    @Test func tokensSurviveTheSnapshotJSONAndTheApplyManifests() throws {
        let user = User(
            name: "alice", email: "alice@example.com",
            passwordHash: "$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P",
            apiTokens: [APIToken(name: "ci", sha256: Self.digestA)])
        let snapshot = ConfigSnapshot(apps: [], users: [user], revision: "r")
        #expect(ConfigSnapshot(json: snapshot.json(secrets: .include), secrets: .include)?.users == [user])
        #expect(ConfigSnapshot(json: snapshot.json(secrets: .digest))?.users.first?.apiTokens == user.apiTokens)
        let files = snapshot.manifestFiles()
        let decoded = ManifestSet(files.map { ManifestDecoder.decode(yaml: $0.text, file: $0.path) })
        #expect(decoded.errors == [])
        #expect(decoded.users.map(\.user) == [user])
    }

    @Test func aNewTokenIsPrefixedBase64URLOf32Bytes() {
        let token = APIToken.generate()
        #expect(token.hasPrefix("bfy_"))
        #expect(token.count == 4 + 43)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(token.dropFirst(4).allSatisfy { alphabet.contains($0) })
        #expect(APIToken.generate() != token)
    }

    @Test func theDigestIsLowerCaseHexSHA256() {
        // printf %s abc | sha256sum
        #expect(APIToken.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: [
        ([UInt8](), ""), ([0xFB], "-w"), ([0xFF, 0xFF], "__8"), ([0x66, 0x6F, 0x6F], "Zm9v"),
        ([0x66, 0x6F, 0x6F, 0x62], "Zm9vYg"),
    ])
    func base64URLHasNoPadding(bytes: [UInt8], expected: String) {
        #expect(APIToken.base64URL(bytes) == expected)
    }
}
