/// How the fetched branch head relates to the one seen before.
public enum HeadChange: Sendable, Equatable {
    /// There was no previous head (first fetch into a new mirror, and no `since`).
    case initial
    /// The head did not move.
    case unchanged
    /// The new head descends from the previous one: ordinary new commits.
    case fastForward
    /// The previous head is not in the new head's history: the branch was force-pushed
    /// (or reset, or `since` came from another repository). Report it.
    case rewritten
}

/// The outcome of one fetch.
public struct FetchResult: Sendable, Equatable {
    /// The branch head now.
    public let head: CommitID
    /// The head it is compared with: `since`, or the mirror's previous fetch; nil if neither.
    public let previous: CommitID?
    /// How `head` relates to `previous`.
    public let change: HeadChange

    /// A result with the given parts.
    public init(head: CommitID, previous: CommitID?, change: HeadChange) {
        self.head = head
        self.previous = previous
        self.change = change
    }
}
