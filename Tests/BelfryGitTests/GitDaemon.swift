import BelfryTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `git daemon` serving a fixture's bare repositories over `git://127.0.0.1:<port>/`, the smart
/// protocol (which runs server-side hooks, unlike libgit2's local transport). Stopped with `stop()`.
final class GitDaemon {
    /// The port it listens on.
    let port: Int
    private let process: Process

    /// Starts the daemon for `root`, pushing allowed only when `receivePack`, and waits (polling
    /// with a deadline) until it accepts connections.
    init(root: String, receivePack: Bool) throws {
        port = Self.freePort()
        process = Process()
        // The daemon itself, not the `git daemon` wrapper, so that SIGTERM reaches it.
        process.executableURL = URL(fileURLWithPath: "/usr/lib/git-core/git-daemon")
        process.arguments =
            ["--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--export-all"]
            + ["--base-path=\(root)"] + (receivePack ? ["--enable=receive-pack"] : []) + [root]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = root
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard Poll.until({ ServerSocket.accepts(port: port) || !process.isRunning }), process.isRunning else {
            stop()
            throw GitFixture.Failure(description: "git daemon did not start on port \(port)")
        }
    }

    deinit { stop() }

    /// The `git://` URL of a repository under the root.
    func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    /// Ends the daemon (the process this fixture started). SIGKILL: a child of the test runner
    /// may inherit a signal mask that blocks SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port the kernel just handed out (bound to port 0, then released).
    private static func freePort() -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(socketFD, $0, length)
                _ = getsockname(socketFD, $0, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
