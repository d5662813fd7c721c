/// What a connection holds of the server's shared budgets until it closes: one public-port
/// descriptor (`DescriptorBudget`) from its accept and, once its upgrade is admitted, its place
/// in its address's count for its app (`AddressLimiter`). Whoever serves the socket holds them
/// (`HTTPConnection`, then the `WebSocketSession` it hands them to) and gives
/// them back when the socket closes (for a NIO channel in `handlerRemoved`, which NIO calls for
/// every handler; so a connection keeps nothing on its channel's close future).
struct ConnectionLeases {
    var descriptors: DescriptorBudget?
    /// The entry of `AddressLimiter` (app and address) that counts this connection: kept from
    /// admission, so giving it back needs no address (a closed socket may not know its peer).
    var addressKey: String?

    /// Gives everything back; a second call does nothing.
    mutating func release(_ context: ServerContext) {
        descriptors?.release()
        descriptors = nil
        if let key = addressKey {
            addressKey = nil
            context.releaseAddress(key: key)
        }
    }
}
