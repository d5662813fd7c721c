/// Which bytes go when a document is deleted from a file that keeps other documents.
extension ManifestFileLayout {
    /// The document's `---` line, its comments and text, and its `...` line; for a document
    /// without a `---` line (the first), its text up to the next document's bare `---` line,
    /// keeping the comments above it (usually the file's header).
    func removal(of document: Document) -> Range<Int> {
        let unit = units[document.unit]
        let next = document.unit + 1 < units.count ? units[document.unit + 1] : nil
        // The unit's `...` line goes too: libyaml wants `---` after one, so no bare document
        // follows that could merge with the one before.
        if let opener = unit.opener {
            return offset(ofLine: opener)..<offset(ofLine: unit.end)
        }
        let start = offset(ofLine: document.firstLine)
        if unit.terminator == nil, let opener = next?.opener, isBareOpener(opener) {
            return start..<offset(ofLine: opener + 1)
        }
        return start..<offset(ofLine: unit.end)
    }
}
