import BelfryCluster
import BelfryRedis

/// What the cluster reads from Redis: the first byte picks the reader. Even: RESP replies fed
/// to `RESPParser` in chunks (it must answer every input with values, "need more" or an error,
/// within its bounds). Odd: a bus envelope, which must decode to nil or to a message that
/// encodes back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCluster(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] % 2 == 0 {
        var parser = RESPParser()
        let chunk = max(1, Int(data[0] / 2))
        var offset = 0
        reading: while offset < bytes.count {
            parser.append(Array(bytes[offset..<min(offset + chunk, bytes.count)]))
            offset += chunk
            while true {
                do {
                    guard try parser.next() != nil else { break }
                } catch {
                    break reading
                }
            }
        }
    } else if let (node, message) = ClusterEnvelope.decode(bytes) {
        let again = ClusterEnvelope.encode(from: node, message)
        precondition(again == bytes, "an envelope does not encode back to its bytes")
    }
    return 0
}
