import BelfryJSON
import BelfryManifest
import Testing

@Suite struct LimitsDecodingTests {
    @Test func absentLimitsTakeTheirDocumentedDefaults() throws {
        let app = try #require(ManifestDecoder.decode(yaml: chatApp, file: "chat.yaml").apps.first)
        #expect(app.limits == App.Limits.defaults)
        #expect(app.limits.maxConnections == nil && app.limits.apiRequestsPerSecond == nil)
        #expect(app.limits.maxConnectionsPerAddress == 1000 && app.limits.connectionsPerSecondPerAddress == 100)
        #expect(app.limits.maxChannelsPerConnection == 200 && app.limits.subscriptionsPerSecond == 100)
        #expect(app.limits.maxMessageBytes == 10240 && app.limits.maxPresenceMembers == 100)
        #expect(app.limits.maxPresenceInfoBytes == 1024 && !app.limits.disconnectOnAbuse)
    }

    @Test func everyLimitDecodesAndNullIsUnlimited() throws {
        let yaml =
            chatApp + """
                  limits:
                    maxConnectionsPerAddress: null
                    connectionsPerSecondPerAddress: 5
                    maxChannelsPerConnection: 3
                    subscriptionsPerSecond: 4
                    clientEventsPerSecond: ~
                    disconnectOnAbuse: true
                    apiRequestsPerSecond: 6
                    maxMessageBytes: 100
                    maxPresenceMembers: 2
                    maxPresenceInfoBytes: 64

                """
        let decoded = ManifestDecoder.decode(yaml: yaml, file: "chat.yaml")
        #expect(decoded.errors == [])
        let limits = try #require(decoded.apps.first).limits
        #expect(
            limits
                == App.Limits(
                    maxConnections: nil, clientEventsPerSecond: nil, backendEventsPerSecond: nil,
                    maxConnectionsPerAddress: nil, connectionsPerSecondPerAddress: 5, maxChannelsPerConnection: 3,
                    subscriptionsPerSecond: 4, apiRequestsPerSecond: 6, maxMessageBytes: 100, maxPresenceMembers: 2,
                    maxPresenceInfoBytes: 64, disconnectOnAbuse: true))
    }

    @Test(arguments: App.Limits.Field.allCases)
    func aLimitOutOfRangeIsAnError(field: App.Limits.Field) {
        let yaml = chatApp + "  limits: { \(field.rawValue): \(field.range.upperBound + 1) }\n"
        let errors = ManifestDecoder.decode(yaml: yaml, file: "chat.yaml").errors
        #expect(errors.map(\.location.path) == ["/spec/limits/\(field.rawValue)"])
    }

    @Test func snapshotJSONKeepsUnlimitedApartFromAbsent() throws {
        var limits = App.Limits.defaults
        limits.maxPresenceMembers = nil
        let app = App(name: "chat", id: "1001", key: "k", secret: "s", limits: limits)
        let json = ConfigSnapshot(apps: [app]).json(secrets: .include)
        #expect(ConfigSnapshot(json: json, secrets: .include)?.apps == [app])
        // JSON from a version that knew only three limits: the others take their defaults.
        let old = try JSONParser.parse(
            #"{"apps":[{"name":"chat","id":"1001","key":"k","secret":"s","limits":{"maxConnections":9}}],"users":[]}"#)
        let decoded = try #require(ConfigSnapshot(json: old, secrets: .include)?.apps.first)
        #expect(decoded.limits.maxConnections == 9 && decoded.limits.maxConnectionsPerAddress == 1000)
    }
}
