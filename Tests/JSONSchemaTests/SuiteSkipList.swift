/// What the official-suite run leaves out, each entry with its reason. Keys are
/// `file`, `file | case description` or `file | case description | test description`.
enum SuiteSkipList {
    /// Optional files this validator claims: run exactly like the required ones.
    static let claimedOptionalFiles = [
        "optional/anchor.json", "optional/bignum.json", "optional/ecmascript-regex.json",
        "optional/float-overflow.json", "optional/id.json", "optional/no-schema.json", "optional/non-bmp-regex.json",
    ]

    /// Optional files not claimed, and why. Not run, not counted; every optional file must be
    /// either claimed or listed here, so a new one in the suite forces a decision.
    static let unclaimedOptionalFiles: [String: String] = [
        "optional/cross-draft.json": "references draft 2019-09 / draft-07 schemas; other dialects are refused at load",
        "optional/dependencies-compatibility.json": "tests the pre-2019 \"dependencies\" keyword, refused as unknown",
        "optional/dynamicRef.json": "$dynamicRef is refused at load",
        "optional/format-assertion.json": "needs $vocabulary meta-schemas; format is an annotation only",
        "optional/refOfUnknownKeyword.json":
            "expects unknown keywords to be ignored; they are refused at load by design",
        "optional/unknownKeyword.json": "expects unknown keywords to be ignored; they are refused at load by design",
        "optional/format": "format assertion; format is an annotation only (the 2020-12 default)",
    ]

    /// Required files left out whole.
    static let files: [String: String] = [
        "dynamicRef.json": "$dynamicRef/$dynamicAnchor are refused at load (no dynamic scopes)",
        "refRemote.json": "every case needs remote schemas from http://localhost:1234; remote refs are refused",
        "vocabulary.json": "$vocabulary and custom meta-schemas are refused at load",
    ]

    /// Test cases (`file | description`) left out; all four are refused by the loader.
    static let cases: [String: String] = [
        "defs.json | validate definition against metaschema":
            "refs the 2020-12 meta-schema by its https URI; remote refs are refused at load",
        "ref.json | remote ref, containing refs itself":
            "refs the 2020-12 meta-schema by its https URI; remote refs are refused at load",
        "unevaluatedItems.json | unevaluatedItems with $dynamicRef": "$dynamicRef is refused at load",
        "unevaluatedProperties.json | unevaluatedProperties with $dynamicRef": "$dynamicRef is refused at load",
    ]

    /// Single tests (`file | case | test`) left out: none.
    static let tests: [String: String] = [:]

    /// Every skip key, to check that each one still matches something in the suite.
    static var allKeys: Set<String> { Set(files.keys).union(cases.keys).union(tests.keys) }
}
