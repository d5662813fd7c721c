import BelfryTestSupport
import Testing

@testable import BelfryBench

@Suite struct LatencyHistogramTests {
    /// wsload's rank rule: the value at rank round(p/100·n), at least 1.
    func reference(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        let want = max(Int(p / 100 * Double(sorted.count) + 0.5), 1)
        return sorted[want - 1]
    }

    @Test(arguments: [1, 7, 100, 5000])
    func percentilesAreWithinResolutionOfSortedReference(count: Int) {
        var generator = SplitMix(seed: UInt64(count))
        var values: [UInt64] = []
        var histogram = LatencyHistogram()
        for _ in 0..<count {
            let v = generator.next() % 2_000_000
            values.append(v)
            histogram.record(v)
        }
        values.sort()
        for p in [50.0, 90, 99, 99.9, 100] {
            let exact = reference(values, p)
            let got = histogram.percentile(p)
            #expect(got >= exact, "p\(p)")
            #expect(Double(got) <= Double(exact) * (1 + 1.0 / 64) + 1, "p\(p): \(got) vs \(exact)")
            #expect(got <= values.last!)
        }
        #expect(histogram.count == UInt64(count))
        #expect(histogram.max == values.last!)
    }

    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for v in [3, 5, 9, 127] as [UInt64] { histogram.record(v) }
        #expect(histogram.percentile(50) == 5)
        #expect(histogram.percentile(75) == 9)
        #expect(histogram.percentile(100) == 127)
    }

    @Test func bucketsCoverEveryValueAndEdgesContainTheirValues() {
        for v: UInt64 in [0, 1, 127, 128, 129, 1000, 65_535, 1 << 40, UInt64.max] {
            let i = LatencyHistogram.index(v)
            #expect(i < LatencyHistogram.bucketCount)
            #expect(LatencyHistogram.upperEdge(i) >= v)
            if i > 0 { #expect(LatencyHistogram.upperEdge(i - 1) < v) }
        }
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        var all = LatencyHistogram()
        for v: UInt64 in [10, 200, 3000] {
            a.record(v)
            all.record(v)
        }
        for v: UInt64 in [5, 40_000] {
            b.record(v)
            all.record(v)
        }
        a.merge(b)
        #expect(a == all)
    }

    @Test func emptyHistogramReportsZero() {
        #expect(LatencyHistogram().percentile(99) == 0)
    }
}
