/// The subscribers of one channel on one event loop: an array for fast iteration during
/// fan-out plus an index for O(1) removal.
struct SubscriberSet {
    private(set) var connections: ContiguousArray<Connection> = []
    private var positions: [ObjectIdentifier: Int] = [:]

    var count: Int { connections.count }

    /// Adds `connection`; false if it was already there.
    @discardableResult
    mutating func insert(_ connection: Connection) -> Bool {
        let id = ObjectIdentifier(connection)
        guard positions[id] == nil else { return false }
        positions[id] = connections.count
        connections.append(connection)
        return true
    }

    /// Removes `connection` by swapping the last element into its place.
    @discardableResult
    mutating func remove(_ connection: Connection) -> Bool {
        let id = ObjectIdentifier(connection)
        guard let position = positions.removeValue(forKey: id) else { return false }
        let last = connections.removeLast()
        if position < connections.count {
            connections[position] = last
            positions[ObjectIdentifier(last)] = position
        }
        return true
    }
}
