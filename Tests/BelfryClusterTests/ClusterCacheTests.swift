import BelfryCluster
import BelfryServer
import Testing

@Suite struct ClusterCacheTests {
    @Test(arguments: [
        ClusterCacheEntry(event: "price", data: #"{"eur":10}"#),
        ClusterCacheEntry(event: "", data: ""),
        ClusterCacheEntry(event: "ü\n\"\\", data: "line\nwith:colons\u{0}and a NUL"),
    ])
    func storedEntriesReadBack(_ entry: ClusterCacheEntry) {
        #expect(ClusterCacheEntry(stored: entry.stored) == entry)
    }

    @Test func storedEntriesAreJSONAnOperatorCanRead() {
        let entry = ClusterCacheEntry(event: "price", data: #"{"eur":10}"#)
        #expect(String(decoding: entry.stored, as: UTF8.self) == #"{"event":"price","data":"{\"eur\":10}"}"#)
    }

    @Test(arguments: ["", "null", "[]", #"{"event":"e"}"#, #"{"event":1,"data":"d"}"#, #"{"event":"e","data":"#])
    func anythingElseIsNoEntry(_ text: String) {
        #expect(ClusterCacheEntry(stored: Array(text.utf8)) == nil)
    }

    @Test func theKeyIsUnderThePrefix() {
        #expect(ClusterKeys(prefix: "blue").cache(app: "5001", channel: "cache-x") == "blue:cache:5001:cache-x")
        #expect(ClusterKeys(prefix: "blue").cachePrefix(app: "5001") == "blue:cache:5001:")
        #expect(ClusterKeys(prefix: "blue").cacheIndex(app: "5001") == "blue:cidx:5001")
    }
}
