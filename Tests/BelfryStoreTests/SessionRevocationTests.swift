import BelfryStore
import Foundation
import Testing

@Suite struct SessionRevocationTests {
    @Test func aLogoutIsKeptAcrossReopenUntilTheSessionWouldHaveExpired() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            try await store.revokeSession(nonce: "n1", expiresAt: fixedNow.addingTimeInterval(3600))
            try await store.revokeSession(nonce: "old", expiresAt: fixedNow.addingTimeInterval(-1))
            #expect(try await store.revokedSessions() == ["n1"])
            try store.close()
            let reopened = try openStore(path)
            #expect(try await reopened.revokedSessions() == ["n1"])
            try reopened.close()
        }
    }
}
