import NIOConcurrencyHelpers
import NIOCore

/// One `Value` per event loop, made on first use and kept for the life of the process (as the
/// server's loops are). A value keeps its loop alive, so a loop's identifier is never reused by
/// another loop while the value is in the table.
final class PerLoop<Value: Sendable>: Sendable {
    private let values = NIOLockedValueBox<[ObjectIdentifier: Value]>([:])
    private let make: @Sendable (EventLoop) -> Value

    init(_ make: @escaping @Sendable (EventLoop) -> Value) { self.make = make }

    /// Every value made so far.
    var all: [Value] { values.withLockedValue { Array($0.values) } }

    /// The value of `loop`, made now if it has none.
    func of(_ loop: EventLoop) -> Value {
        values.withLockedValue { all in
            if let value = all[ObjectIdentifier(loop)] { return value }
            let value = make(loop)
            all[ObjectIdentifier(loop)] = value
            return value
        }
    }
}
