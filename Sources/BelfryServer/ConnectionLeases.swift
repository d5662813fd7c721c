import NIOCore

/// What a connection holds of the server's shared budgets until it closes: one public-port
/// descriptor (`DescriptorBudget`) from its accept and, once its upgrade is admitted, its place
/// in its address's count for its app (`AddressLimiter`). The handler in the pipeline holds them
/// (`HTTPHandler`, then the `WebSocketSession` it hands them to) and gives them back in
/// `handlerRemoved`, which NIO calls for every handler when the channel closes; so a connection
/// keeps nothing on its channel's close future.
struct ConnectionLeases {
    var descriptors: DescriptorBudget?
    /// The app whose per-address count includes this connection.
    var addressAppID: String?

    /// Gives everything back; a second call does nothing.
    mutating func release(_ context: ServerContext, address: SocketAddress?) {
        descriptors?.release()
        descriptors = nil
        if let appID = addressAppID {
            addressAppID = nil
            context.releaseAddress(appID: appID, address: address)
        }
    }
}
