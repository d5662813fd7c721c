import NIOCore

@testable import BelfryServer

/// HTTP1Parser over a byte stream, driven the way HTTPHandler drives it (call `next` until
/// `.needMore`), with limits small enough for fuzzed inputs to reach. The first three bytes
/// choose the body limit, the head limit and the read sizes; the rest is the stream.
///
/// Checks: no trap, no endless loop; every request's body is within `maxBodyBytes`; a step that
/// returns a request consumed bytes; `expectsContinue` at most once per request; and the stream
/// read in random-sized pieces gives the same requests and error as read in one piece.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 3 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let maxBodyBytes = Int(input[0]) * 4
    let maxHeadBytes = 64 + Int(input[1]) * 16
    let whole = parse(input[3...], maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes, seed: nil)
    let pieces = parse(input[3...], maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes, seed: input[2])
    precondition(whole == pieces, "reads in pieces change the outcome:\n\(whole)\n\(pieces)")
    return 0
}

private struct Outcome: Equatable {
    var requests: [HTTP1Request] = []
    var failure: HTTP1ParseError?
}

/// Every request read from `stream`, delivered at once (`seed` nil) or in pieces of 1–97 bytes.
private func parse(_ stream: Slice<UnsafeBufferPointer<UInt8>>, maxHeadBytes: Int, maxBodyBytes: Int, seed: UInt8?)
    -> Outcome
{
    var parser = HTTP1Parser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes)
    var outcome = Outcome()
    var random = UInt64(seed ?? 0) &+ 0x9E37_79B9_7F4A_7C15
    var rest = stream
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    var continues = 0
    while !rest.isEmpty {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let piece = seed == nil ? rest[...] : rest.prefix(1 + Int(random >> 33) % 97)
        rest = rest.dropFirst(piece.count)
        buffer.writeBytes(piece)
        reading: while true {
            let before = buffer.readableBytes
            switch parser.next(&buffer) {
            case .request(let request):
                precondition(request.body.count <= maxBodyBytes, "body of \(request.body.count) > \(maxBodyBytes)")
                precondition(buffer.readableBytes < before, "a request was returned without consuming bytes")
                outcome.requests.append(request)
                continues = 0
            case .expectsContinue:
                continues += 1
                precondition(continues == 1, "expectsContinue reported twice for one request")
            case .needMore:
                break reading
            case .failure(let error):
                outcome.failure = error
                return outcome
            }
        }
    }
    return outcome
}
