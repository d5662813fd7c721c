import BelfryJSON

/// A JSON number held exactly as `±digits × 10^exponent`, parsed from the number's text.
///
/// Why not `Double` or Foundation `Decimal`: `Double` makes `0.1` inexact (so `multipleOf: 0.01`
/// misfires) and rounds big integers; `Decimal` keeps 38 digits and tops out near 1e165, where
/// JSON has no limit. Exact digits make comparisons, `integer` (1.0 is one) and equality (1 == 1.0)
/// exact for any text, and `multipleOf` exact through modular arithmetic (see `isMultiple(of:)`).
struct Number: Sendable, Hashable, Comparable {
    /// True only for values below zero; zero is never negative.
    let isNegative: Bool
    /// Significant decimal digits, most significant first, without leading or trailing zeros;
    /// empty for zero.
    let digits: [UInt8]
    /// Power of ten applied to `digits`; 0 for zero.
    let exponent: Int

    /// Exponents are clamped here so that digit positions never overflow `Int`.
    private static let exponentLimit = 1_000_000_000_000_000

    /// Parses JSON number text (`-?int(.frac)?([eE][+-]?digits)?`); nil if it is not one.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var all: [UInt8] = []
        var fractionCount = 0
        var seenPoint = false
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                all.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionCount += 1 }
            } else {
                return nil
            }
        }
        guard !all.isEmpty else { return nil }
        var exponent = 0
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            let exponentNegative = bytes.first == UInt8(ascii: "-")
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard !bytes.isEmpty else { return nil }
            for byte in bytes {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), Self.exponentLimit)
            }
            if exponentNegative { exponent = -exponent }
        }
        let leading = all.firstIndex { $0 != 0 } ?? all.endIndex
        let trailing = all.lastIndex { $0 != 0 }.map { all.index(after: $0) } ?? all.endIndex
        if leading == all.endIndex {
            self.init(isNegative: false, digits: [], exponent: 0)
        } else {
            let dropped = all.endIndex - trailing
            self.init(
                isNegative: negative, digits: Array(all[leading..<trailing]),
                exponent: exponent - fractionCount + dropped)
        }
    }

    private init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        self.isNegative = isNegative
        self.digits = digits
        self.exponent = exponent
    }

    /// The number in a JSON value, or nil for any other kind of value.
    init?(_ value: JSONValue) {
        guard case .number(let text) = value else { return nil }
        self.init(text)
    }

    /// True for 0 in any spelling (`0`, `-0.0`, `0e5`).
    var isZero: Bool { digits.isEmpty }

    /// True when the value has no fractional part (`1.0` and `1e2` are integers).
    var isInteger: Bool { isZero || exponent >= 0 }

    /// The value as an `Int` when it is an integer that fits.
    var intValue: Int? {
        guard isInteger else { return nil }
        guard digits.count + exponent <= 19 else { return nil }
        var result = 0
        for digit in digits + Array(repeating: 0, count: isZero ? 0 : exponent) {
            let (times, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return isNegative ? -result : result
    }

    static func < (lhs: Number, rhs: Number) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        return lhs.isNegative ? magnitudeLess(rhs, lhs) : magnitudeLess(lhs, rhs)
    }

    /// Compares absolute values: first by the position of the leading digit, then digit by digit.
    private static func magnitudeLess(_ a: Number, _ b: Number) -> Bool {
        if a.isZero || b.isZero { return a.isZero && !b.isZero }
        let orderA = a.digits.count + a.exponent
        let orderB = b.digits.count + b.exponent
        if orderA != orderB { return orderA < orderB }
        for (x, y) in zip(a.digits, b.digits) where x != y { return x < y }
        return a.digits.count < b.digits.count
    }
}
