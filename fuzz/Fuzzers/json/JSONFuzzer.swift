import BelfryJSON

/// JSONParser on arbitrary bytes, and the round trip: a parsed value's `serialized` text parses
/// again to an equal value, and serializing that gives the same text (a fixed point).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let text = value.serialized
    let again: JSONValue
    do {
        again = try JSONParser.parse(text)
    } catch {
        fatalError("serialized text does not parse: \(error)\n\(text)")
    }
    precondition(again == value, "round trip changed the value:\n\(value)\n\(again)")
    precondition(again.serialized == text, "serialization is not a fixed point:\n\(text)\n\(again.serialized)")
    return 0
}
