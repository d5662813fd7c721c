import Testing

@testable import BelfryReconciler

/// The reconcile loop's wait: triggers, close and cancellation end it well before its timeout.
@Suite struct WakeupTests {
    @Test func aPendingTriggerReturnsAtOnce() async {
        let wakeup = Wakeup()
        wakeup.signal(.webhook)
        #expect(await wakeup.wait(.seconds(3600)) == .webhook)
    }

    @Test func timesOutWithInterval() async {
        #expect(await Wakeup().wait(.milliseconds(10)) == .interval)
    }

    @Test func cancellationEndsTheWait() async {
        let wakeup = Wakeup()
        let task = Task { await wakeup.wait(.seconds(3600)) }
        task.cancel()
        #expect(await task.value == nil)
    }

    @Test func cancelledBeforeWaitingReturnsNil() async {
        let wakeup = Wakeup()
        let result = await withTaskGroup(of: PassRecord.Trigger?.self) { group in
            group.cancelAll()
            group.addTask { await wakeup.wait(.seconds(3600)) }
            return await group.next() ?? .interval
        }
        #expect(result == nil)
    }
}
