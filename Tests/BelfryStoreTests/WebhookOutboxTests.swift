import BelfryStore
import Foundation
import Testing

@Suite struct WebhookOutboxTests {
    private func row(_ app: String, _ url: String, slot: Int = 0, name: String = "channel_occupied", at ms: Int64)
        -> WebhookOutboxRow
    {
        WebhookOutboxRow(
            app: app, url: url, slot: slot, name: name, payload: #"{"name":"\#(name)","channel":"c\#(ms)"}"#,
            createdAtMs: ms)
    }

    @Test func rowsSurviveReopeningInAppendOrder() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            let inserted = [
                row("a", "http://x/1", at: 1), row("a", "http://x/1", slot: 1, at: 2), row("b", "http://y", at: 3),
            ]
            let (ids, _) = try await store.applyWebhookOutbox(WebhookOutboxChange(inserts: inserted))
            #expect(ids.count == 3 && ids == ids.sorted())
            try store.close()

            let reopened = try openStore(path)
            let rows = try await reopened.webhookOutbox()
            #expect(rows.map(\.id) == ids.map { Optional($0) })
            #expect(rows.map { $0.createdAtMs } == [1, 2, 3])
            #expect(rows[1].slot == 1 && rows[1].payload == inserted[1].payload && rows[2].app == "b")
            try reopened.close()
        }
    }

    @Test func deletesAndEndpointRemovalsAreOneTransaction() async throws {
        let store = try Store.openInMemory()
        let (ids, _) = try await store.applyWebhookOutbox(
            WebhookOutboxChange(
                inserts: (0..<1200).map { row("a", "http://x", at: Int64($0)) } + [row("b", "http://y", at: 9)]))
        let (newIDs, removed) = try await store.applyWebhookOutbox(
            WebhookOutboxChange(
                inserts: [row("c", "http://z", at: 10)], deletes: Array(ids.prefix(1000)),
                removedEndpoints: [WebhookEndpointRef(app: "b", url: "http://y", slot: 0)]))
        #expect(newIDs.count == 1 && newIDs[0] > ids.last!)
        #expect(removed == [WebhookEndpointRef(app: "b", url: "http://y", slot: 0): 1])
        let left = try await store.webhookOutbox()
        #expect(left.count == 201)
        #expect(left.filter { $0.app == "a" }.count == 200 && left.last?.app == "c")
    }
}
