extension Plan {
    /// A pull-request comment: a heading naming the source, the changes in a `diff` block (updates
    /// marked `!` so GitHub highlights them), any refusal as a caution, and the summary in bold.
    /// Text from git (branch, subject, author) is escaped outside the code block.
    public func renderMarkdown() -> String {
        let reference = source.map { " for " + Self.escaped($0.reference) } ?? ""
        var out = "### Belfry plan\(reference)\n\n"
        guard hasChanges else {
            let target = source.map { Self.escaped($0.reference) } ?? "the desired configuration"
            return out + "No changes. The server matches \(target).\n"
        }
        let body = bodyLines(updateMarker: "!").joined(separator: "\n")
        let fence = Self.fence(for: body)
        out += "\(fence)diff\n\(body)\n\(fence)\n\n"
        if let refusal { out += "> [!CAUTION]\n> \(Self.escaped(refusal.description))\n\n" }
        let counts = counts
        out += "**Plan: \(counts.add) to add, \(counts.change) to change, \(counts.delete) to delete.**"
        if let source { out += " Source: " + Self.escaped(source.description) }
        return out + "\n"
    }

    /// A backtick fence longer than any run of backticks in `body`, so nothing can close it early.
    private static func fence(for body: String) -> String {
        var longest = 0
        var run = 0
        for character in body {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    /// Backslash before every ASCII punctuation character: CommonMark renders it literally, so a
    /// commit subject cannot add links, mentions or HTML to the comment.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if character.isASCII, character.isPunctuation || character.isSymbol { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
