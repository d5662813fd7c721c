import Testing

@testable import BelfryServer

/// RFC 6455 on the server side: what a client frame may not be, and how a close is answered.
@Suite struct InboundFrameRulesTests {
    private func violation(
        _ opcode: UInt8, fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0, length: UInt64 = 2
    ) -> InboundFrameRules.Violation? {
        InboundFrameRules.violation(fin: fin, reservedBits: rsv, opcode: opcode, masked: masked, length: length)
    }

    @Test func aMaskedTextFrameIsFine() {
        #expect(violation(0x1) == nil)
        #expect(violation(0x0, fin: false) == nil)
        #expect(violation(0x9, length: 125) == nil)
    }

    @Test func brokenFramesCloseWith1002() {
        #expect(violation(0x1, masked: false)?.code == 1002)
        #expect(violation(0x1, rsv: 4)?.code == 1002)
        for reserved: UInt8 in [0x3, 0x7, 0xB, 0xF] { #expect(violation(reserved)?.code == 1002) }
        #expect(violation(0x9, length: 126)?.code == 1002)
        #expect(violation(0x8, fin: false)?.code == 1002)
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
