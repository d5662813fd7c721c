import NIOCore
import NIOWebSocket
import Testing

@testable import BelfryServer

/// RFC 6455 on the server side: what a client frame may not be, and how a close is answered.
@Suite struct InboundFrameRulesTests {
    private let mask = WebSocketMaskingKey([1, 2, 3, 4])

    private func frame(
        _ opcode: WebSocketOpcode, fin: Bool = true, masked: Bool = true, rsv1: Bool = false, length: Int = 2
    ) -> WebSocketFrame {
        WebSocketFrame(
            fin: fin, rsv1: rsv1, opcode: opcode, maskKey: masked ? mask : nil,
            data: ByteBuffer(repeating: 0x61, count: length))
    }

    @Test func aMaskedTextFrameIsFine() {
        #expect(InboundFrameRules.violation(of: frame(.text)) == nil)
        #expect(InboundFrameRules.violation(of: frame(.ping, length: 125)) == nil)
    }

    @Test func brokenFramesCloseWith1002() {
        #expect(InboundFrameRules.violation(of: frame(.text, masked: false))?.code == 1002)
        #expect(InboundFrameRules.violation(of: frame(.text, rsv1: true))?.code == 1002)
        #expect(InboundFrameRules.violation(of: frame(WebSocketOpcode(encodedWebSocketOpcode: 0x3)!))?.code == 1002)
        #expect(InboundFrameRules.violation(of: frame(.ping, length: 126))?.code == 1002)
        #expect(InboundFrameRules.violation(of: frame(.connectionClose, fin: false))?.code == 1002)
    }

    @Test(
        arguments: [
            ([], 1000), ([0x03], 1002), ([0x03, 0xE8], 1000), ([0x0F, 0xA0], 4000), ([0x0B, 0xB8], 3000),
            ([0x03, 0xED], 1002), ([0x03, 0xEE], 1002), ([0x03, 0xEC], 1002), ([0x00, 0x00], 1002),
            ([0x13, 0x88], 1002), ([0x03, 0xF7], 1002), ([0x03, 0xE8, 0xFF, 0xFE], 1007),
            ([0x03, 0xE9, 0x62, 0x79, 0x65], 1001),
        ] as [([UInt8], UInt16)])
    func closeCodesAreEchoedOnlyWhenValid(payload: [UInt8], answer: UInt16) {
        #expect(InboundFrameRules.answer(toClosePayload: payload) == answer)
    }

    @Test func utf8Check() {
        #expect(InboundFrameRules.isUTF8(Array("héllo ✓".utf8)))
        #expect(!InboundFrameRules.isUTF8([0xC3]))
        #expect(!InboundFrameRules.isUTF8([0xED, 0xA0, 0x80]))  // a UTF-16 surrogate
    }
}
