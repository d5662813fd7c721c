extension Number {
    /// Divisors may have at most this many significant digits, so every remainder fits in `UInt64`
    /// (`remainder × 10 + 9 < 10^19 < 2^64`). The loader refuses longer `multipleOf` values.
    static let maxDivisorDigits = 18

    /// Whether `self / divisor` is an integer, computed exactly; nil when `divisor` has more than
    /// `maxDivisorDigits` significant digits or is not positive.
    ///
    /// With `self = A × 10^a` and `divisor = B × 10^b` (A, B without trailing zeros), the quotient
    /// is `A × 10^(a-b) / B`. For `a < b` it cannot be an integer (10 does not divide A); otherwise
    /// it is one exactly when `(A mod B) × (10^(a-b) mod B) ≡ 0 (mod B)`. Exponents as large as
    /// `1e308` cost a logarithmic number of steps, so there is no overflow to handle.
    func isMultiple(of divisor: Number) -> Bool? {
        guard !divisor.isNegative, !divisor.isZero, divisor.digits.count <= Self.maxDivisorDigits else { return nil }
        if isZero { return true }
        let modulus = divisor.digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
        let shift = exponent - divisor.exponent
        if shift < 0 { return false }
        let remainder = digits.reduce(UInt64(0)) { ($0 * 10 + UInt64($1)) % modulus }
        return Self.multiply(remainder, Self.power(10, shift, modulus), modulus) == 0
    }

    /// `(a × b) mod m` without overflow, for `a, b < m`.
    private static func multiply(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return m.dividingFullWidth((product.high, product.low)).remainder
    }

    /// `base^exponent mod m` by repeated squaring.
    private static func power(_ base: UInt64, _ exponent: Int, _ m: UInt64) -> UInt64 {
        var result: UInt64 = 1 % m
        var square = base % m
        var rest = exponent
        while rest > 0 {
            if rest & 1 == 1 { result = multiply(result, square, m) }
            square = multiply(square, square, m)
            rest >>= 1
        }
        return result
    }
}
