import Foundation

/// `BELFRY_<FLAG>` environment defaults for `serve`'s flags.
enum Environment {
    static func value(_ flag: String) -> String? {
        let name = "BELFRY_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
        return ProcessInfo.processInfo.environment[name]
    }
}

/// A one-line error for bad flags or input, printed without a stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
