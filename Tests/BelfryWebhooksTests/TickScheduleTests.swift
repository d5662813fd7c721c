import Testing

@testable import BelfryWebhooks

/// When webhook delivery ticks: one at a time, and none while there is nothing to do.
@Suite struct TickScheduleTests {
    enum Step { case started, woken, ticked(workLeft: Bool), answered(workLeft: Bool) }

    /// Feeds `steps` to a new schedule: whether each asked for a tick, and whether one is coming
    /// at the end.
    private func run(_ steps: [Step]) -> (asked: [Bool], pending: Bool) {
        var schedule = TickSchedule()
        let asked = steps.map { step in
            switch step {
            case .started: schedule.started()
            case .woken: schedule.woken()
            case .ticked(let workLeft): schedule.ticked(workLeft: workLeft)
            case .answered(let workLeft): schedule.answered(workLeft: workLeft)
            }
        }
        return (asked, schedule.pending)
    }

    /// Start, one event, its request answered: ticks while there is work, then none at all (an
    /// idle service does not tick until the next event wakes it).
    @Test func ticksOnlyWhileThereIsWork() {
        let idleFromTheStart = run([.started, .ticked(workLeft: false)])
        #expect(idleFromTheStart.asked == [true, false])
        #expect(!idleFromTheStart.pending)

        let oneEvent = run([
            .started, .ticked(workLeft: false),
            .woken,  // an event arrives
            .ticked(workLeft: true),  // its request runs: tick again
            .answered(workLeft: false),  // answered; a tick is already coming
            .ticked(workLeft: false),  // nothing left: no next tick
        ])
        #expect(oneEvent.asked == [true, false, true, true, false, false])
        #expect(!oneEvent.pending)
    }

    /// Never two ticks at once: a wake or an answer while one is coming asks for nothing more.
    @Test func oneTickAtATime() {
        let result = run([.started, .woken, .answered(workLeft: true)])
        #expect(result.asked == [true, false, false])
        #expect(result.pending)
    }

    /// An answer that leaves work (a retry waiting out its backoff) keeps the ticks coming once
    /// the last one has run.
    @Test func anAnswerThatLeavesWorkAsksForATick() {
        let result = run([.started, .ticked(workLeft: false), .answered(workLeft: true)])
        #expect(result.asked == [true, false, true])
        #expect(result.pending)
    }
}
