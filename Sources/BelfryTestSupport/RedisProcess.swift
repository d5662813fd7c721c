import Foundation

/// A real `redis-server` on a free loopback port, started and stopped by the test (Debian's
/// package, installed by `make test`).
public final class RedisProcess: @unchecked Sendable {
    public let port: Int
    private var process: Process?
    private let directory: URL
    /// With TLS: the certificates it serves with (`port` is then its TLS port, the only one).
    public let certificates: TestCertificates?

    /// - Parameter tls: serve TLS only, with a certificate for 127.0.0.1 and localhost signed by
    ///   a fresh test CA (`certificates.caFile`).
    public init(tls: Bool = false) throws {
        let socket = try ServerSocket.freePort()
        port = socket
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("belfry-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificates = tls ? try TestCertificates(in: directory) : nil
        try start()
    }

    public func start() throws {
        guard
            let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw RedisTestError(
                "redis-server is not installed: `make test` installs it (apt-get install redis-server)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var listen = ["--port", String(port)]
        if let certificates {
            listen = [
                "--port", "0", "--tls-port", String(port), "--tls-cert-file", certificates.certificateFile,
                "--tls-key-file", certificates.keyFile, "--tls-ca-cert-file", certificates.caFile,
                "--tls-auth-clients", "no",
            ]
        }
        process.arguments =
            listen + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready when it accepts a connection.
        guard Poll.until({ ServerSocket.accepts(port: port) }) else {
            throw RedisTestError("redis-server did not start on port \(port)")
        }
    }

    /// SIGKILL and reap: the child inherits the test runner's blocked signal mask, so SIGTERM
    /// would never arrive (and Foundation's waitUntilExit can hang outside a run loop).
    public func stop() {
        guard let process else { return }
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A test CA and a server certificate it signed for 127.0.0.1 and localhost (P-256 keys, valid
/// two days), made with the `openssl` command (`make test` installs it).
public struct TestCertificates: Sendable {
    public let caFile: String
    public let certificateFile: String
    public let keyFile: String

    public init(in directory: URL) throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        caFile = path("ca.pem")
        certificateFile = path("server.pem")
        keyFile = path("server.key")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: path("san.cnf"), atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + key + [
                "-keyout", path("ca.key"), "-out", caFile, "-days", "2", "-subj", "/CN=Belfry test CA",
            ])
        try Self.openssl(["req"] + key + ["-keyout", keyFile, "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try Self.openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", certificateFile, "-days", "2", "-extfile", path("san.cnf"),
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var status: Int32 = 0
        waitpid(process.processIdentifier, &status, 0)
        guard status == 0 else { throw RedisTestError("openssl \(arguments.first ?? "") failed (\(status))") }
    }
}

public struct RedisTestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ServerSocket {
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw RedisTestError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
