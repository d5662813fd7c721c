import PusherProtocol
import Testing

@Suite struct UTCTimeTests {
    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (951_782_400, "2000-02-29T00:00:00Z"),
        (1_380_444_393, "2013-09-29T08:46:33Z"), (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func iso8601(seconds: Int, text: String) {
        #expect(UTCTime.iso8601(seconds) == text)
    }

    @Test func extremesDoNotTrap() {
        #expect(UTCTime.iso8601(Int.max).hasSuffix("Z"))
        #expect(UTCTime.iso8601(Int.min).hasPrefix("-"))
    }
}
