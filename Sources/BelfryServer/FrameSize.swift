/// The size of a whole WebSocket frame on the wire (RFC 6455 §5.2), which is what statistics
/// count: a 2-byte header, a 2- or 8-byte extended length from 126 and 65,536 bytes of payload,
/// and a 4-byte masking key on frames a client sends.
enum FrameSize {
    /// The header of a frame carrying `payload` bytes.
    static func header(payload: Int, masked: Bool) -> Int {
        let length =
            switch payload {
            case ..<126: 2
            case ..<65536: 4
            default: 10
            }
        return length + (masked ? 4 : 0)
    }

    /// A frame the server sends (never masked).
    static func server(payload: Int) -> Int { header(payload: payload, masked: false) + payload }

    /// A frame a client sent (masked, unless it broke the rules and is about to be refused).
    static func client(payload: Int, masked: Bool = true) -> Int { header(payload: payload, masked: masked) + payload }
}
