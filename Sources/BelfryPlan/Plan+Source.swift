extension Plan {
    /// The git commit a plan was made from, as the summary names it.
    public struct Source: Sendable, Equatable, CustomStringConvertible {
        /// The branch or tag followed; `nil` for a detached revision.
        public var branch: String?
        /// The full revision (a commit id, or a directory path for a local source).
        public var revision: String
        /// The commit subject; only its first line is shown.
        public var subject: String?
        /// The commit author's name.
        public var author: String?

        /// A source; every part but the revision is optional.
        public init(branch: String? = nil, revision: String, subject: String? = nil, author: String? = nil) {
            self.branch = branch
            self.revision = revision
            self.subject = subject
            self.author = author
        }

        /// A commit id cut to 7 characters; a directory's `dir:PATH@sha256:HEX` as `PATH@` and 12
        /// hex digits; anything else as given.
        public var shortRevision: String {
            let isCommitID = revision.count > 7 && revision.allSatisfy(\.isHexDigit)
            if isCommitID { return String(revision.prefix(7)) }
            if revision.hasPrefix("dir:"), let at = revision.range(of: "@sha256:", options: .backwards) {
                return String(revision[revision.index(revision.startIndex, offsetBy: 4)..<at.lowerBound]) + "@"
                    + String(revision[at.upperBound...].prefix(12))
            }
            return revision
        }

        /// `main@9f77800`, or the short revision alone without a branch.
        public var reference: String {
            guard let branch = Self.clean(branch) else { return shortRevision }
            return "\(branch)@\(shortRevision)"
        }

        /// `main@9f77800 "raise limits" by Alice`.
        public var description: String {
            var text = reference
            if let subject = Self.clean(subject) { text += " \"\(subject)\"" }
            if let author = Self.clean(author) { text += " by \(author)" }
            return text
        }

        /// The first line without control characters, or `nil` when nothing is left.
        static func clean(_ text: String?) -> String? {
            guard let line = text?.split(whereSeparator: \.isNewline).first else { return nil }
            var kept = String.UnicodeScalarView(
                line.unicodeScalars.filter { $0.properties.generalCategory != .control })
            while kept.first?.properties.isWhitespace == true { kept.removeFirst() }
            while kept.last?.properties.isWhitespace == true { kept.removeLast() }
            return kept.isEmpty ? nil : String(kept)
        }
    }
}
