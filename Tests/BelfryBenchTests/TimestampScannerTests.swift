import Testing

@testable import BelfryBench

@Suite struct TimestampScannerTests {
    func scan(_ text: String) -> UInt64? { TimestampScanner.scan(Array(text.utf8)) }

    @Test func markerIsSixteenZeroPaddedDigits() {
        #expect(TimestampScanner.marker(1234) == "@T0000000000001234")
        #expect(TimestampScanner.marker(0).count == 18)
    }

    @Test func findsTheTimestampInAPusherFrame() {
        let frame = #"{"event":"bench","channel":"bench-0","data":"{\"ts\":\"@T0000001234567890\",\"seq\":3}"}"#
        #expect(scan(frame) == 1_234_567_890)
    }

    @Test func findsTheTimestampInAnNchanFrame() {
        #expect(scan(#"{"ts":"@T0000000000000042","seq":0}"#) == 42)
    }

    @Test(arguments: [
        #"{"event":"pusher:ping","data":{}}"#, "", "@T", "@T123", "@T000000000000001",  // 15 digits
        "xx@T00000000000000", "@t0000000000000001",
    ])
    func absentOrIncompleteMarkersGiveNil(text: String) {
        #expect(scan(text) == nil)
    }

    @Test func markerAtTheVeryEndIsFound() {
        #expect(scan("abc@T9999999999999999") == 9_999_999_999_999_999)
    }

    @Test func aBrokenMarkerIsSkippedForALaterOne() {
        #expect(scan("@T12x@T0000000000000007") == 7)
        #expect(scan("@@T0000000000000008") == 8)
    }

    @Test func aMarkerSplitAcrossTwoBuffersIsNotFoundInEitherHalf() {
        let whole = Array("{\"ts\":\"@T0000000000000099\"}".utf8)
        let cut = 12
        #expect(TimestampScanner.scan(Array(whole[..<cut])) == nil)
        #expect(TimestampScanner.scan(Array(whole[cut...])) == nil)
        #expect(TimestampScanner.scan(whole) == 99)
    }
}
