import BelfryJSON
import Foundation

/// Renders a validation report as text lines, a JSON document, or GitHub workflow annotations.
extension ValidationReport {
    /// Output formats of `belfry validate`.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, github
    }

    /// `prefix/file`; the source itself (`.`) is the prefix without its slash.
    static func joined(_ prefix: String, _ file: String) -> String {
        guard !prefix.isEmpty else { return file }
        let directory = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        return file == "." ? directory : directory + "/" + file
    }

    /// The report in `format`, ending with a newline; text and github end with the summary line.
    /// - Parameter annotationPrefix: put before file names in `github` annotations, which GitHub
    ///   resolves from the repository root (`config/` when the manifests live in `config/`).
    public func rendered(_ format: Format, annotationPrefix: String = "") -> String {
        let report = self
        let diagnostics = report.errors.map { ($0, "error") } + report.warnings.map { ($0, "warning") }
        switch format {
        case .text:
            let lines = diagnostics.map { error, severity in error.line(severity: severity) }
            return (lines + [report.summary]).joined(separator: "\n") + "\n"
        case .github:
            let lines = diagnostics.map { error, severity in
                let l = error.location
                let message = escape(l.path.isEmpty ? error.message : "\(l.path): \(error.message)")
                let file = Self.joined(annotationPrefix, l.file)
                return
                    "::\(severity) file=\(escapeProperty(file)),line=\(l.line),col=\(l.column),title=belfry validate::\(message)"
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

    /// GitHub's workflow-command escaping for messages and properties.
    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private func escapeProperty(_ s: String) -> String {
        escape(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
