import BelfryJSON
import Yams

/// One manifest file as bytes, lines, document units and the objects they hold: what the
/// editor needs to change one document and leave every other byte alone.
///
/// Lines break as libyaml breaks them (`\n`, `\r\n`, `\r`, NEL, LS, PS), so Yams' line marks
/// index `lines`. A unit is the text of one YAML document: it starts at a `---` line (its
/// opener) or at the start of the file or after a `...` line, and ends before the next `---`
/// line, including its `...` line (its terminator) if any. Both markers only count at column 1.
struct ManifestFileLayout {
    struct Line {
        /// Byte offsets: first byte, the byte after the content (before the break), after the break.
        var start: Int
        var end: Int
        var next: Int
    }

    struct Unit {
        /// Index of the `---` line that opens the unit, if any.
        var opener: Int?
        /// Index of the `...` line that ends the unit, if any.
        var terminator: Int?
        /// Index of the first line after the unit (its terminator included).
        var end: Int
    }

    /// A non-empty document: where its text starts and ends.
    struct Document {
        /// The document as JSON, as the loader reads it (YAML 1.2 core schema).
        var value: JSONValue
        var identity: ManifestIdentity?
        /// Index among the file's non-empty documents (the decoder's order).
        var index: Int
        var unit: Int
        /// The line of the root node (Yams' mark) and the last line of the document's text.
        var firstLine: Int
        var lastLine: Int
        /// Byte offsets of the document's text: from its root (after `---` when it starts on
        /// that line) to the end of its last line, before the break.
        var start: Int
        var end: Int
        var location: ManifestLocation
    }

    let file: String
    let bytes: [UInt8]
    let lines: [Line]
    let units: [Unit]
    let documents: [Document]
    /// The file's line break: `\r\n` when it has any, else `\n`.
    let lineBreak: String

    /// The layout of `text`, or `.unparseable` when Yams cannot read it.
    init(text: String, file: String) throws(ManifestEditError) {
        self.file = file
        bytes = Array(text.utf8)
        lines = Self.lines(bytes)
        lineBreak = zip(bytes, bytes.dropFirst()).contains { $0 == 13 && $1 == 10 } ? "\r\n" : "\n"
        var units: [Unit] = []
        var current = Unit(opener: nil, terminator: nil, end: 0)
        for index in lines.indices {
            switch Self.marker(bytes, lines[index]) {
            case "-":
                current.end = index
                units.append(current)
                current = Unit(opener: index, terminator: nil, end: 0)
            case ".":
                current.terminator = index
                current.end = index + 1
                units.append(current)
                current = Unit(opener: nil, terminator: nil, end: 0)
            default:
                break
            }
        }
        current.end = lines.count
        units.append(current)
        self.units = units
        documents = try Self.documents(text: text, file: file, bytes: bytes, lines: lines, units: units)
    }

    /// The text with bytes `range` replaced by `replacement`.
    func replacing(_ range: Range<Int>, with replacement: String) -> String {
        String(decoding: bytes[..<range.lowerBound], as: UTF8.self) + replacement
            + String(decoding: bytes[range.upperBound...], as: UTF8.self)
    }

    /// Byte offset of line `index`'s start, or the end of the file past the last line.
    func offset(ofLine index: Int) -> Int {
        index < lines.count ? lines[index].start : bytes.count
    }

    /// Whether line `index` is `---` with nothing after it but blanks or a comment.
    func isBareOpener(_ index: Int) -> Bool {
        let line = lines[index]
        let rest = bytes[(line.start + 3)..<line.end].drop { $0 == 32 || $0 == 9 }
        return rest.isEmpty || rest.first == UInt8(ascii: "#")
    }

    private static func documents(
        text: String, file: String, bytes: [UInt8], lines: [Line], units: [Unit]
    ) throws(ManifestEditError) -> [Document] {
        var roots: YamlSequence<Node>
        do {
            roots = try compose_all(yaml: text)
        } catch {
            throw .unparseable(file: file, errors: [ManifestDecoder.syntaxError(error, file: file)])
        }
        var documents: [Document] = []
        while let root = roots.next() {
            if root.scalar != nil, NodeReader.tagName(root) == .null { continue }  // as the decoder does
            let mark = root.mark.map { ManifestLocation(file: file, line: $0.line, column: $0.column) }
            guard let location = mark, location.line >= 1, location.line <= lines.count,
                let unit = units.firstIndex(where: { location.line - 1 < $0.end })
            else {
                throw .unparseable(
                    file: file,
                    errors: [
                        ManifestError(
                            "a document without a position",
                            at: mark ?? ManifestLocation(file: file, line: 1, column: 1))
                    ])
            }
            let first = location.line - 1
            let onOpener = units[unit].opener == first
            var last = (units[unit].terminator ?? units[unit].end) - 1
            while last > first, !isContent(bytes, lines[last]) { last -= 1 }
            let start = onOpener ? lines[first].start + 3 : lines[first].start
            let value = YAMLInstance(root, file: file).value
            documents.append(
                Document(
                    value: value, identity: ManifestIdentity(object: value), index: documents.count,
                    unit: unit, firstLine: first, lastLine: last, start: start, end: lines[last].end,
                    location: location))
        }
        if let error = roots.error {
            throw .unparseable(file: file, errors: [ManifestDecoder.syntaxError(error, file: file)])
        }
        return documents
    }

    /// The lines of `bytes`, split at every break libyaml counts.
    private static func lines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            var width = 0
            switch bytes[index] {
            case 10: width = 1
            case 13: width = index + 1 < bytes.count && bytes[index + 1] == 10 ? 2 : 1
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85: width = 2
            case 0xE2
            where index + 2 < bytes.count && bytes[index + 1] == 0x80
                && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                width = 3
            default: break
            }
            if width > 0 {
                lines.append(Line(start: start, end: index, next: index + width))
                start = index + width
                index = start
            } else {
                index += 1
            }
        }
        if start < bytes.count || lines.isEmpty {
            lines.append(Line(start: start, end: bytes.count, next: bytes.count))
        }
        return lines
    }

    /// `-` for a `---` line, `.` for a `...` line (at column 1, followed by a blank or the end), else nil.
    private static func marker(_ bytes: [UInt8], _ line: Line) -> Character? {
        var start = line.start
        if start == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }  // a byte order mark
        guard line.end - start >= 3 else { return nil }
        let head = bytes[start..<(start + 3)]
        guard head.elementsEqual("---".utf8) || head.elementsEqual("...".utf8) else { return nil }
        guard line.end == start + 3 || bytes[start + 3] == 32 || bytes[start + 3] == 9 else { return nil }
        return head.first == UInt8(ascii: "-") ? "-" : "."
    }

    /// Whether a line belongs to a document's text: not blank, and not a comment at column 1
    /// (a comment there follows the root mapping; one indented may sit inside a block scalar).
    private static func isContent(_ bytes: [UInt8], _ line: Line) -> Bool {
        let text = bytes[line.start..<line.end]
        guard text.contains(where: { $0 != 32 && $0 != 9 }) else { return false }
        return text.first != UInt8(ascii: "#")
    }
}
