/// A compiled `pattern` / `patternProperties` regular expression, searched unanchored like
/// ECMA-262 `RegExp.prototype.test`: `"^[a-z]+$"` anchors itself, `"[a-z]"` matches anywhere.
///
/// Swift `Regex` is tuned towards ECMA-262: the few constructs it reads differently are rewritten
/// first (`Pattern+ECMA`), it matches Unicode scalars (not grapheme clusters, so `.` is one code
/// point and lengths agree with `minLength`), and `\d`, `\w`, `\b` are ASCII-only. `^` and `$`
/// only match at the ends of the input (JSON Schema has no multiline flag).
struct Pattern: Sendable {
    /// The expression as written in the schema, for messages.
    let source: String
    private let compiled: Compiled

    /// `Regex<AnyRegexOutput>` is not `Sendable` because captures could hold arbitrary values; we
    /// never read captures. The regex itself is immutable: its one lazily built member, the
    /// lowered program, is published with an atomic compare-and-swap in the standard library
    /// (`Regex.Program.loweredProgram`), and `init` builds it before the value is shared anyway.
    private struct Compiled: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    /// Compiles `source`; throws the regex parser's error if it is not a valid expression.
    init(_ source: String) throws {
        self.source = source
        let regex = try Regex(Self.swiftSyntax(forECMA: source))
            .matchingSemantics(.unicodeScalar)
            .asciiOnlyDigits()
            .asciiOnlyWordCharacters()
        _ = "".firstMatch(of: regex)  // lowers the program now, on the loading thread
        self.compiled = Compiled(regex: regex)
    }

    /// Whether the expression matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        text.firstMatch(of: compiled.regex) != nil
    }
}
