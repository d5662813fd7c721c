import BelfryJSON

/// Renders a validation report as text lines, a JSON document, or GitHub workflow annotations.
extension ValidationReport {
    /// Output formats of `belfry validate`.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, github
    }

    /// The report in `format`, ending with a newline; text and github end with the summary line.
    public func rendered(_ format: Format) -> String {
        let report = self
        let diagnostics = report.errors.map { ($0, "error") } + report.warnings.map { ($0, "warning") }
        switch format {
        case .text:
            let lines = diagnostics.map { error, severity in text(error, severity) }
            return (lines + [report.summary]).joined(separator: "\n") + "\n"
        case .github:
            let lines = diagnostics.map { error, severity in
                let l = error.location
                let message = escape(l.path.isEmpty ? error.message : "\(l.path): \(error.message)")
                return
                    "::\(severity) file=\(escapeProperty(l.file)),line=\(l.line),col=\(l.column),title=belfry validate::\(message)"
            }
            return (lines + [report.summary]).joined(separator: "\n") + "\n"
        case .json:
            let items: [JSONValue] = diagnostics.map { error, severity in
                let l = error.location
                return .object([
                    ("severity", .string(severity)), ("file", .string(l.file)), ("line", .number(String(l.line))),
                    ("column", .number(String(l.column))), ("path", .string(l.path)),
                    ("message", .string(error.message)),
                ])
            }
            let document = JSONValue.object([
                ("valid", .bool(report.isValid)), ("summary", .string(report.summary)), ("diagnostics", .array(items)),
            ])
            return document.serialized + "\n"
        }
    }

    /// `file:line:col: error: /path: message`.
    private func text(_ error: ManifestError, _ severity: String) -> String {
        let line = error.description
        return severity == "error" ? line : line.replacingFirst(": error: ", with: ": \(severity): ")
    }

    /// GitHub's workflow-command escaping for messages and properties.
    private func escape(_ s: String) -> String {
        s.replacingFirst("%", with: "%25", all: true).replacingFirst("\r", with: "%0D", all: true)
            .replacingFirst("\n", with: "%0A", all: true)
    }

    private func escapeProperty(_ s: String) -> String {
        escape(s).replacingFirst(":", with: "%3A", all: true).replacingFirst(",", with: "%2C", all: true)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String, all: Bool = false) -> String {
        guard let range = firstRange(of: target) else { return self }
        let rest = String(self[range.upperBound...])
        return String(self[..<range.lowerBound]) + replacement
            + (all ? rest.replacingFirst(target, with: replacement, all: true) : rest)
    }
}
