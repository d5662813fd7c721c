/// Where one object is declared: its file, its place among the file's documents, its lines.
public struct ManifestDocumentLocation: Sendable, Equatable {
    /// The file, relative to the manifests directory.
    public var file: String
    /// 0-based index among the file's non-empty documents, the order the loader decodes them in.
    public var index: Int
    /// 1-based lines of the document's text, from its root to its last line (comments around
    /// it excluded); what `replace` rewrites.
    public var lines: ClosedRange<Int>
    /// Where the document's root starts, as the loader reports it.
    public var location: ManifestLocation

    /// A location as the editor finds it.
    public init(file: String, index: Int, lines: ClosedRange<Int>, location: ManifestLocation) {
        self.file = file
        self.index = index
        self.lines = lines
        self.location = location
    }

    init(_ layout: ManifestFileLayout, _ document: ManifestFileLayout.Document) {
        self.init(
            file: layout.file, index: document.index, lines: (document.firstLine + 1)...(document.lastLine + 1),
            location: document.location)
    }
}
