import Testing

@testable import JSONSchema

@Suite struct NumericTests {
    @Test(arguments: [
        ("1", "1.0", false), ("0.1", "0.10", false), ("-1", "0", true), ("-2", "-1", true), ("1e2", "99.99", false),
        ("18446744073709551615", "18446744073709551616", true),
        ("9.727837981879871e+26", "9.7278379818798712e+26", true),
        ("-0.0", "0", false), ("1e-400", "0", false), ("0", "1e-400", true),
    ])
    func comparesExactlyFromText(lhs: String, rhs: String, less: Bool) throws {
        let a = try #require(Number(lhs))
        let b = try #require(Number(rhs))
        #expect((a < b) == less)
    }

    @Test(arguments: [
        ("0.3", "0.1", true), ("0.0075", "0.0001", true), ("19.99", "0.01", true), ("0.00751", "0.0001", false),
        ("10", "3", false), ("1e308", "0.5", true), ("1e308", "3", false), ("12345678901234567890", "5", true),
        ("0", "7", true), ("-4.5", "1.5", true), ("1.5", "0.4", false),
    ])
    func multipleOfIsExactForDecimals(value: String, divisor: String, multiple: Bool) throws {
        let number = try #require(Number(value))
        #expect(number.isMultiple(of: try #require(Number(divisor))) == multiple)
        #expect(try accepts(#"{"multipleOf": \#(divisor)}"#, value) == multiple)
    }

    @Test func boundsReportTheLimitAsWritten() throws {
        #expect(try messages(#"{"maximum": 1000000}"#, "1000001") == ["must be ≤ 1000000"])
        #expect(try messages(#"{"minimum": 1}"#, "0") == ["must be ≥ 1"])
        #expect(try messages(#"{"exclusiveMaximum": 1.5}"#, "1.5") == ["must be < 1.5"])
        #expect(try messages(#"{"exclusiveMinimum": 0}"#, "0") == ["must be > 0"])
        #expect(try messages(#"{"multipleOf": 0.01}"#, "0.001") == ["must be a multiple of 0.01"])
        #expect(try accepts(#"{"maximum": 1000000}"#, "1000000"))
        #expect(try accepts(#"{"maximum": 1}"#, "1.0"))
        #expect(try accepts(#"{"maximum": 1}"#, #""a string is not a number""#))
    }

    @Test func numericOperandsAreChecked() {
        #expect(loadError(#"{"multipleOf": 0}"#)?.message == "must be greater than 0")
        #expect(loadError(#"{"maximum": "10"}"#)?.message == "must be a number")
        #expect(loadError(#"{"exclusiveMaximum": true}"#)?.message == "must be a number")
        #expect(loadError(#"{"multipleOf": 1.2345678901234567891}"#) != nil)
        #expect(loadError(#"{"minLength": -1}"#)?.message == "must be a non-negative integer")
        #expect(loadError(#"{"minLength": 1.5}"#)?.keywordLocation == "/minLength")
        #expect(loadError(#"{"maxLength": 2.0}"#) == nil)
    }
}
