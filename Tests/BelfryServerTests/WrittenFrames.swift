import NIOCore
import NIOEmbedded

@testable import BelfryServer

/// The frames a server-side connection wrote to an embedded channel: each outbound buffer is
/// one unmasked frame (`ServerFrame`), read back here independently of the server's code.
enum WrittenFrames {
    static func read(_ channel: EmbeddedChannel) throws -> [(opcode: UInt8, payload: String)] {
        var frames: [(UInt8, String)] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            let first = buffer.readInteger(as: UInt8.self)!
            var length = Int(buffer.readInteger(as: UInt8.self)! & 0x7F)
            if length == 126 { length = Int(buffer.readInteger(as: UInt16.self)!) }
            if length == 127 { length = Int(buffer.readInteger(as: UInt64.self)!) }
            precondition(first & 0x80 != 0 && buffer.readableBytes == length, "one whole, final frame per write")
            frames.append((first & 0x0F, buffer.readString(length: length)!))
        }
        return frames
    }

    /// The payloads of the text frames.
    static func texts(_ channel: EmbeddedChannel) throws -> [String] {
        try read(channel).filter { $0.opcode == 0x1 }.map(\.payload)
    }
}
