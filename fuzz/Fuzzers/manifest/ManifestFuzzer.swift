import BelfryManifest

/// The pure part of `belfry validate`: every file decoded by ManifestDecoder (YAML → schema →
/// manifests), the set's cross-object and whole-set rules, the report in every format, and the
/// snapshot the server would load. The input is one or more files separated by NUL bytes; the
/// first file alone is also the base revision, for the "users cannot delete themselves" rule.
///
/// Checks: no trap, no hang; every error has a 1-based line and column.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    let files = parts.prefix(4).enumerated().map { index, bytes in
        ManifestDecoder.decode(yaml: String(decoding: bytes, as: UTF8.self), file: "f\(index).yaml")
    }
    let set = ManifestSet(files)
    let base = ManifestSet(Array(files.prefix(1)))
    let author = base.users.first?.user.email
    let errors = set.errors + set.wholeSetErrors(source: ".", author: author, base: base)
    for error in errors {
        precondition(error.location.line >= 1 && error.location.column >= 1, "error without a position: \(error)")
    }
    let report = ValidationReport(
        errors: errors, warnings: [], files: files.count, apps: set.apps.count, users: set.users.count)
    for format in ValidationReport.Format.allCases { _ = report.rendered(format) }
    _ = set.snapshot(revision: "fuzz", resolveSecret: { _ in .success("secret") }, generatedSecret: { $0 })
    return 0
}
