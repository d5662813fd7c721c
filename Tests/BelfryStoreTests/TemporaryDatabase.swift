import BelfryStore
import Foundation

/// A fixed instant for the store's clock; tests compare stored times against it.
let fixedNow = Date(timeIntervalSince1970: 1_700_000_000.25)

/// Runs `body` with the path of a database file in a new temporary directory, removed afterwards.
func withDatabasePath(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("belfry-store-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory.appendingPathComponent("state").appendingPathComponent(Store.fileName).path)
}

/// Opens the store at `path` with the fixed clock.
func openStore(_ path: String, historyLimit: Int = Store.defaultHistoryLimit) throws -> Store {
    try Store.open(path: path, historyLimit: historyLimit, now: { fixedNow })
}
