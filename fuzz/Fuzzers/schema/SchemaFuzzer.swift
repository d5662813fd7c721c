import BelfryJSON
import BelfryManifest
import JSONSchema

/// The JSON Schema validator. The input is `schema NUL instance`: the schema is compiled with
/// `JSONSchema(_:)` and the instance validated against it; the instance (or, without a NUL,
/// the whole input) is also validated against the embedded App and User schemas.
///
/// Checks: no trap, no hang; validation is deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchema(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(
        separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    guard let instance = try? JSONParser.parse(Array(parts[parts.count - 1])) else { return 0 }
    if parts.count == 2, let document = try? JSONParser.parse(Array(parts[0])),
        let schema = try? JSONSchema(document)
    {
        check(schema, instance)
    }
    check(ManifestSchemas.app, instance)
    check(ManifestSchemas.user, instance)
    return 0
}

private func check(_ schema: JSONSchema, _ instance: JSONValue) {
    let violations = schema.validate(instance)
    precondition(schema.validate(instance) == violations, "validation is not deterministic")
}
