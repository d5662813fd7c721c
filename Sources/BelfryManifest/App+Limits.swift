/// The numeric limits by name, so the decoder, the JSON forms, the store and the plan walk one
/// list instead of repeating eleven fields (keep in step with `$defs/limits` in the schema).
extension App.Limits {
    /// A numeric limit: its manifest name under `spec.limits`.
    public enum Field: String, CaseIterable, Sendable {
        case maxConnections, maxConnectionsPerAddress, connectionsPerSecondPerAddress
        case maxChannelsPerConnection, subscriptionsPerSecond, clientEventsPerSecond
        case backendEventsPerSecond, apiRequestsPerSecond
        case maxMessageBytes, maxPresenceMembers, maxPresenceInfoBytes

        /// The values the schema accepts (`minimum`…`maximum`).
        public var range: ClosedRange<Int> {
            switch self {
            case .maxConnections, .maxConnectionsPerAddress, .backendEventsPerSecond, .apiRequestsPerSecond:
                1...1_000_000
            case .connectionsPerSecondPerAddress: 1...100_000
            case .maxChannelsPerConnection, .subscriptionsPerSecond, .maxPresenceMembers: 1...10_000
            case .clientEventsPerSecond: 1...1000
            case .maxMessageBytes: 1...1_048_576
            case .maxPresenceInfoBytes: 1...65_536
            }
        }
    }

    /// The documented defaults: what an absent field means.
    public static let defaults = App.Limits()

    /// The limit named `field`; `nil` is unlimited.
    public subscript(field: Field) -> Int? {
        get {
            switch field {
            case .maxConnections: maxConnections
            case .maxConnectionsPerAddress: maxConnectionsPerAddress
            case .connectionsPerSecondPerAddress: connectionsPerSecondPerAddress
            case .maxChannelsPerConnection: maxChannelsPerConnection
            case .subscriptionsPerSecond: subscriptionsPerSecond
            case .clientEventsPerSecond: clientEventsPerSecond
            case .backendEventsPerSecond: backendEventsPerSecond
            case .apiRequestsPerSecond: apiRequestsPerSecond
            case .maxMessageBytes: maxMessageBytes
            case .maxPresenceMembers: maxPresenceMembers
            case .maxPresenceInfoBytes: maxPresenceInfoBytes
            }
        }
        set {
            switch field {
            case .maxConnections: maxConnections = newValue
            case .maxConnectionsPerAddress: maxConnectionsPerAddress = newValue
            case .connectionsPerSecondPerAddress: connectionsPerSecondPerAddress = newValue
            case .maxChannelsPerConnection: maxChannelsPerConnection = newValue
            case .subscriptionsPerSecond: subscriptionsPerSecond = newValue
            case .clientEventsPerSecond: clientEventsPerSecond = newValue
            case .backendEventsPerSecond: backendEventsPerSecond = newValue
            case .apiRequestsPerSecond: apiRequestsPerSecond = newValue
            case .maxMessageBytes: maxMessageBytes = newValue
            case .maxPresenceMembers: maxPresenceMembers = newValue
            case .maxPresenceInfoBytes: maxPresenceInfoBytes = newValue
            }
        }
    }
}
