/// Reads RESP values from bytes as they arrive, with bounds: a hostile or broken server cannot
/// make it allocate without limit or recurse without end.
///
/// Pure: `append` bytes, then call `next()` until it returns nil (more bytes needed). A
/// protocol violation is an error value; the connection must then be closed.
public struct RESPParser: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Longest bulk string (Redis's own default is 512 MB; Belfry's payloads are far smaller).
        public var maxBulkBytes: Int = 64 << 20
        /// Most elements of one aggregate.
        public var maxElements: Int = 1 << 20
        /// Deepest nesting of aggregates.
        public var maxDepth: Int = 32
        /// Longest line (simple string, error, number).
        public var maxLineBytes: Int = 64 << 10

        public init() {}
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownType(UInt8)
        case badLength(String)
        case tooLarge(String)
        case tooDeep
        case badLine(String)

        public var description: String {
            switch self {
            case .unknownType(let byte): "unknown RESP type byte 0x\(String(byte, radix: 16))"
            case .badLength(let text): "bad RESP length \(text)"
            case .tooLarge(let what): "RESP \(what) over the limit"
            case .tooDeep: "RESP aggregates nested too deep"
            case .badLine(let what): "bad RESP line: \(what)"
            }
        }
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var offset = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if offset > 4096, offset > buffer.count / 2 {
            buffer.removeFirst(offset)
            offset = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received and not yet parsed.
    public var buffered: Int { buffer.count - offset }

    /// The next complete value; nil when more bytes are needed.
    public mutating func next() throws(Failure) -> RESPValue? {
        var cursor = offset
        guard let value = try parse(&cursor, depth: 0) else {
            // An incomplete line that is already too long will never complete within the limits.
            if buffered > limits.maxBulkBytes + limits.maxLineBytes { throw .tooLarge("message") }
            return nil
        }
        offset = cursor
        return value
    }

    private func line(_ cursor: inout Int) throws(Failure) -> String? {
        var index = cursor
        while index + 1 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10 {
                let text = String(decoding: buffer[cursor..<index], as: UTF8.self)
                cursor = index + 2
                return text
            }
            index += 1
            if index - cursor > limits.maxLineBytes { throw .tooLarge("line") }
        }
        return nil
    }

    private func length(_ cursor: inout Int, max: Int) throws(Failure) -> Int?? {
        guard let text = try line(&cursor) else { return nil }
        guard let value = Int(text), value >= -1 else { throw .badLength(text) }
        if value == -1 { return .some(nil) }
        guard value <= max else { throw .tooLarge("length \(value)") }
        return .some(value)
    }

    private func parse(_ cursor: inout Int, depth: Int) throws(Failure) -> RESPValue? {
        guard depth <= limits.maxDepth else { throw .tooDeep }
        guard cursor < buffer.count else { return nil }
        let type = buffer[cursor]
        var next = cursor + 1
        let value: RESPValue
        switch type {
        case UInt8(ascii: "+"):
            guard let text = try line(&next) else { return nil }
            value = .simpleString(text)
        case UInt8(ascii: "-"):
            guard let text = try line(&next) else { return nil }
            value = .error(text)
        case UInt8(ascii: ":"):
            guard let text = try line(&next) else { return nil }
            guard let number = Int64(text) else { throw .badLine("integer \(text)") }
            value = .integer(number)
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            guard let count = try length(&next, max: limits.maxBulkBytes) else { return nil }
            guard let count else {
                value = .bulkString(nil)
                break
            }
            guard next + count + 2 <= buffer.count else { return nil }
            guard buffer[next + count] == 13, buffer[next + count + 1] == 10 else {
                throw .badLine("bulk string not ended by CRLF")
            }
            let bytes = Array(buffer[next..<(next + count)])
            next += count + 2
            switch type {
            case UInt8(ascii: "!"): value = .error(String(decoding: bytes, as: UTF8.self))
            case UInt8(ascii: "="): value = .bulkString(Array(bytes.drop { $0 != UInt8(ascii: ":") }.dropFirst()))
            default: value = .bulkString(bytes)
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            guard let count = try length(&next, max: limits.maxElements) else { return nil }
            guard let count else {
                value = .array(nil)
                break
            }
            let isMap = type == UInt8(ascii: "%")
            var items: [RESPValue] = []
            items.reserveCapacity(Swift.min(count * (isMap ? 2 : 1), 1024))
            for _ in 0..<(isMap ? count * 2 : count) {
                guard let item = try parse(&next, depth: depth + 1) else { return nil }
                items.append(item)
            }
            switch type {
            case UInt8(ascii: "~"): value = .set(items)
            case UInt8(ascii: ">"): value = .push(items)
            case UInt8(ascii: "%"):
                value = .map(stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) })
            default: value = .array(items)
            }
        case UInt8(ascii: "_"):
            guard try line(&next) != nil else { return nil }
            value = .null
        case UInt8(ascii: "#"):
            guard let text = try line(&next) else { return nil }
            guard text == "t" || text == "f" else { throw .badLine("boolean \(text)") }
            value = .boolean(text == "t")
        case UInt8(ascii: ","):
            guard let text = try line(&next) else { return nil }
            switch text {
            case "inf": value = .double(.infinity)
            case "-inf": value = .double(-.infinity)
            case "nan": value = .double(.nan)
            default:
                guard let number = Double(text) else { throw .badLine("double \(text)") }
                value = .double(number)
            }
        case UInt8(ascii: "("):
            guard let text = try line(&next) else { return nil }
            value = .bigNumber(text)
        default:
            throw .unknownType(type)
        }
        cursor = next
        return value
    }
}

/// Writes commands as RESP arrays of bulk strings (the only form a client sends).
public enum RESPEncoder {
    public static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [13, 10]
        }
        return out
    }

    public static func command(_ arguments: [String]) -> [UInt8] {
        command(arguments.map { Array($0.utf8) })
    }
}
