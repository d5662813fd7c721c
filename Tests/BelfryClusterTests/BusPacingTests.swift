import Testing

@testable import BelfryCluster

@Suite struct BusPacingTests {
    @Test func stopsReadingAtHighAndResumesAtHalf() {
        var pacing = BusPacing(high: 4)
        #expect(pacing.queue() == nil)
        #expect(pacing.queue() == nil)
        #expect(pacing.queue() == nil)
        #expect(pacing.queue() == .stopReading)
        #expect(pacing.queue() == nil, "already stopped: messages read before the stop still count")
        #expect(pacing.settle() == nil)
        #expect(pacing.settle() == nil)
        #expect(pacing.queued == 3 && pacing.paused)
        #expect(pacing.settle() == .resumeReading)
        #expect(pacing.settle() == nil)
        #expect(pacing.settle() == nil)
        #expect(pacing.queued == 0 && !pacing.paused)
    }

    @Test func everyStopIsFollowedByOneResumeOnceTheLoopsCatchUp() {
        var pacing = BusPacing(high: 8)
        var stops = 0
        var resumes = 0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let action = pacing.queued > 0 && Bool.random(using: &generator) ? pacing.settle() : pacing.queue()
            if action == .stopReading { stops += 1 }
            if action == .resumeReading { resumes += 1 }
            #expect(pacing.queued <= 8 || pacing.paused, "reading past high")
            #expect(stops - resumes == (pacing.paused ? 1 : 0))
        }
        while pacing.queued > 0 { if pacing.settle() == .resumeReading { resumes += 1 } }
        #expect(stops == resumes && !pacing.paused)
    }

    @Test func aHighOfOneStopsAtEveryMessage() {
        var pacing = BusPacing(high: 1)
        #expect(pacing.queue() == .stopReading)
        #expect(pacing.settle() == .resumeReading)
    }
}
