import Testing

@testable import BelfryBench

@Suite struct ProcStatTests {
    @Test func readsVmRSSFromStatus() {
        let status = "Name:\tbelfry\nVmPeak:\t  500000 kB\nVmRSS:\t   17004 kB\nRssAnon:\t    9000 kB\n"
        #expect(ProcStat.rssKilobytes(status: status) == 17004)
        #expect(ProcStat.rssKilobytes(status: "Name:\tx\n") == nil)
    }

    @Test func readsUtimePlusStimeAfterTheLastParenthesis() {
        let stat =
            "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 4 0 100 200000000 4000 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        #expect(ProcStat.cpuTicks(stat: stat) == 325)
    }

    @Test func commWithSpacesDoesNotShiftFields() {
        let stat = "99 (a b c) R 1 2 3 4 5 6 7 8 9 10 11 12 0 0\n"
        #expect(ProcStat.cpuTicks(stat: stat) == 23)
    }

    @Test func truncatedStatGivesNil() {
        #expect(ProcStat.cpuTicks(stat: "1 (x) S 1 2 3") == nil)
        #expect(ProcStat.cpuTicks(stat: "garbage") == nil)
    }
}
