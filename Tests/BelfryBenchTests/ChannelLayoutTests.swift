import Testing

@testable import BelfryBench

@Suite struct ChannelLayoutTests {
    @Test func connectionsAndMessagesRoundRobinOverChannels() {
        let layout = ChannelLayout(prefix: "bench", count: 3)
        #expect(layout.name(layout.group(ofConnection: 4)) == "bench-1")
        #expect(layout.name(layout.group(ofMessage: 5)) == "bench-2")
    }

    @Test func expectedDeliveriesSumSubscribersOfEachMessagesChannel() {
        let two = ChannelLayout(prefix: "b", count: 2)
        #expect(two.expectedDeliveries(messages: 30, readyPerGroup: [10, 10]) == 300)
        // 7 messages over 3 channels: 3 to channel 0, 2 to channel 1, 2 to channel 2.
        let three = ChannelLayout(prefix: "b", count: 3)
        #expect(three.expectedDeliveries(messages: 7, readyPerGroup: [5, 1, 0]) == 3 * 5 + 2 * 1)
        let one = ChannelLayout(prefix: "b", count: 1)
        #expect(one.expectedDeliveries(messages: 2000, readyPerGroup: [1000]) == 2_000_000)
        #expect(three.expectedDeliveries(messages: 0, readyPerGroup: [5, 5, 5]) == 0)
    }

    @Test func oneTargetTakesEveryConnection() {
        let layout = ChannelLayout(prefix: "b", count: 3)
        #expect((0..<10).allSatisfy { layout.target(ofConnection: $0, targets: 1) == 0 })
    }

    @Test func oneChannelRoundRobinsOverTargets() {
        let layout = ChannelLayout(prefix: "b", count: 1)
        #expect((0..<6).map { layout.target(ofConnection: $0, targets: 2) } == [0, 1, 0, 1, 0, 1])
        #expect((0..<6).map { layout.target(ofConnection: $0, targets: 3) } == [0, 1, 2, 0, 1, 2])
    }

    /// With i % 2 targets and an even channel count, every channel would sit on one server only;
    /// the placement alternates each channel's own subscribers instead.
    @Test func everyChannelHasSubscribersOnEveryTarget() {
        let layout = ChannelLayout(prefix: "b", count: 100)
        var perChannelAndTarget = Array(repeating: [0, 0], count: 100)
        for i in 0..<10_000 {
            perChannelAndTarget[layout.group(ofConnection: i)][layout.target(ofConnection: i, targets: 2)] += 1
        }
        #expect(perChannelAndTarget.allSatisfy { $0 == [50, 50] })
    }

    @Test func targetsShareConnectionsWithinOnePerChannel() {
        let layout = ChannelLayout(prefix: "b", count: 4)
        var perTarget = [0, 0, 0]
        for i in 0..<30 { perTarget[layout.target(ofConnection: i, targets: 3)] += 1 }
        #expect(perTarget.reduce(0, +) == 30)
        #expect(perTarget.max()! - perTarget.min()! <= 4)
    }
}

@Suite struct RateScheduleTests {
    @Test func fixedRateSpacesMessagesEvenly() {
        let schedule = RateSchedule(rate: 100)
        #expect(schedule.dueOffsetMicros(0) == 0)
        #expect(schedule.dueOffsetMicros(1) == 10_000)
        #expect(schedule.dueOffsetMicros(150) == 1_500_000)
        #expect(schedule.isDue(3, elapsedMicros: 30_000))
        #expect(!schedule.isDue(3, elapsedMicros: 29_999))
    }

    @Test func flatOutMakesEveryMessageDueAtOnce() {
        let schedule = RateSchedule(rate: 0)
        #expect(schedule.dueOffsetMicros(1_000_000) == 0)
        #expect(schedule.isDue(99, elapsedMicros: 0))
    }

    @Test func fractionalRates() {
        #expect(RateSchedule(rate: 0.5).dueOffsetMicros(3) == 6_000_000)
        #expect(RateSchedule(rate: 3).dueOffsetMicros(1) == 333_333)
    }
}
