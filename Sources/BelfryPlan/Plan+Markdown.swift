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

    /// Markdown's own characters inside a line, which get a backslash: the escape itself, code and
    /// emphasis (`` ` `` `*`), link and image brackets (`[` `]`), raw HTML and autolinks (`<` `>`),
    /// entities (`&`), GitHub's strikethrough and math (`~` `$`) and a heading's closing `#`.
    /// `_` and `@` are escaped only where they could act (see `escaped`).
    static let markdownCharacters: Set<Character> = ["\\", "`", "*", "[", "]", "<", ">", "&", "~", "$", "#"]

    /// Text from the source (a branch, a path, a commit subject or author) made inert: a backslash
    /// before Markdown's own characters, so a commit subject cannot add links, HTML or emphasis;
    /// before `_` unless it sits inside a word (where CommonMark never reads it as emphasis); and
    /// before an `@` that could open a GitHub mention. Nothing else is touched: `dir:/tmp/pr_1`
    /// and `main@9f77800` read as written, in the rendered comment and in its source alike.
    static func escaped(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            func isWord(_ offset: Int) -> Bool {
                let at = index + offset
                return characters.indices.contains(at) && (characters[at].isLetter || characters[at].isNumber)
            }
            let needsEscape =
                switch character {
                case "_": !(isWord(-1) && isWord(1))
                case "@": !isWord(-1)
                default: markdownCharacters.contains(character)
                }
            if needsEscape { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
