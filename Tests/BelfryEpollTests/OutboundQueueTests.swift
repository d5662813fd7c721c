import NIOCore
import Testing

@testable import BelfryEpoll

@Suite struct OutboundQueueTests {
    @Test func keepsBuffersInOrderAndCountsTheirBytes() {
        var queue = OutboundQueue()
        queue.append(ByteBuffer(string: "abc"))
        queue.append(ByteBuffer())  // nothing to write: not kept
        queue.append(ByteBuffer(string: "defg"))
        #expect(queue.bytes == 7)
        var first = queue.first!
        first.moveReaderIndex(forwardBy: 2)
        queue.replaceFirst(first)
        #expect(queue.bytes == 5)
        #expect(queue.first.map { String(buffer: $0) } == "c")
        queue.removeFirst()
        #expect(queue.first.map { String(buffer: $0) } == "defg")
        queue.removeFirst()
        #expect(queue.isEmpty && queue.bytes == 0 && queue.first == nil)
    }

    @Test func aLongQueueDrainsInOrder() {
        var queue = OutboundQueue()
        for index in 0..<1000 { queue.append(ByteBuffer(string: "\(index),")) }
        var drained = ""
        while let first = queue.first {
            drained += String(buffer: first)
            queue.removeFirst()
            if drained.count % 7 == 0 { queue.append(ByteBuffer(string: "x")) }
        }
        #expect(drained.hasPrefix((0..<1000).map { "\($0)," }.joined()))
        #expect(queue.bytes == 0)
    }
}
