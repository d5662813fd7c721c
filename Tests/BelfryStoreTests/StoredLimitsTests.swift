import BelfryManifest
import Foundation
import Testing

@testable import BelfryStore

/// Rows written before the newer limits existed still load, with those limits at their defaults.
@Suite struct StoredLimitsTests {
    static let oldRow = """
        {"name":"chat","id":"1001","key":"chat-key","secret":"s","enabled":true,"allowedOrigins":[],
         "clientEvents":true,"userAuthentication":false,"limits":{"maxConnections":50},"webhooks":[]}
        """

    @Test func anOldRowTakesTheDefaultsOfTheNewLimits() throws {
        let app = try JSONDecoder().decode(StoredApp.self, from: Data(Self.oldRow.utf8)).app
        var expected = App.Limits.defaults
        expected.maxConnections = 50
        // Absent in an old row meant unlimited for the three limits it knew.
        expected.clientEventsPerSecond = nil
        expected.backendEventsPerSecond = nil
        #expect(app.limits == expected)
    }

    @Test func unlimitedNewLimitsRoundTripAsNull() throws {
        var limits = App.Limits.defaults
        limits.maxConnectionsPerAddress = nil
        limits.subscriptionsPerSecond = 7
        limits.disconnectOnAbuse = true
        let app = App(name: "chat", id: "1001", key: "k", secret: "s", limits: limits)
        let data = try JSONEncoder().encode(StoredApp(app))
        #expect(String(decoding: data, as: UTF8.self).contains(#""maxConnectionsPerAddress":null"#))
        #expect(try JSONDecoder().decode(StoredApp.self, from: data).app == app)
    }
}
