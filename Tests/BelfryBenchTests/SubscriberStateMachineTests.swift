import Testing

@testable import BelfryBench

@Suite struct SubscriberStateMachineTests {
    @Test func pusherHandshakeSubscribesThenBecomesReady() {
        var machine = SubscriberStateMachine(protocolKind: .pusher, channel: "bench-1")
        #expect(machine.upgraded() == .none)
        let established = #"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\"}"}"#
        #expect(machine.text(established) == .send(#"{"event":"pusher:subscribe","data":{"channel":"bench-1"}}"#))
        #expect(machine.state == .subscribing)
        let ack = #"{"event":"pusher_internal:subscription_succeeded","channel":"bench-1","data":"{}"}"#
        #expect(machine.text(ack) == .ready)
        #expect(machine.isReady)
    }

    @Test func pusherPingIsAnsweredInAnyState() {
        var machine = SubscriberStateMachine(protocolKind: .pusher, channel: "c")
        #expect(machine.text(#"{"event":"pusher:ping","data":{}}"#) == .send(SubscriberStateMachine.pong))
    }

    @Test func pusherErrorBeforeReadyFails() {
        var machine = SubscriberStateMachine(protocolKind: .pusher, channel: "c")
        let error = #"{"event":"pusher:error","data":{"code":4001,"message":"App key x not in this cluster"}}"#
        guard case .fail(let frame) = machine.text(error) else {
            Issue.record("expected failure")
            return
        }
        #expect(frame.contains("4001"))
        #expect(machine.state == .failed)
    }

    @Test func nchanIsReadyOnUpgrade() {
        var machine = SubscriberStateMachine(protocolKind: .nchan, channel: "c")
        #expect(machine.upgraded() == .ready)
        #expect(machine.text("anything") == .none)
    }
}
