import ArgumentParser
import BelfryBench
import Foundation

/// `belfry bench`: load-test a Pusher-protocol server (or nginx+nchan) with N subscribers and
/// M signed publishes, reporting rates, latency percentiles, losses and server cost.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test a Pusher-protocol server (or nginx+nchan): connect, publish, measure.",
        discussion: """
            Opens --connections WebSocket subscribers spread over --channels channels, waits until all are \
            subscribed, publishes --messages events through the HTTP API (signed, at --rate or flat out) and \
            reports connect rate, publish requests/s, deliveries/s, end-to-end latency percentiles and lost \
            messages; with --server-pid also server RSS per connection and deliveries per server CPU-second. \
            Prints a table and, as the last line, one JSON object (keys as in wsload). Exit status 0 when every \
            connection became ready, every publish got a 2xx and nothing was lost; 1 otherwise.
            Clusters: with --subscribe-url (repeatable) the subscribers connect to those servers instead, spread \
            evenly over them, while the publishers stay on --url; the table and the JSON line (sub1_…, sub2_…) then \
            add deliveries and latency per subscribe URL, and each further --server-pid adds that server's CPU \
            and RSS (srv2_…).
            Example: belfry bench --url http://127.0.0.1:6001 --connections 1000 --messages 500
            Cluster: belfry bench --url http://127.0.0.1:6001 --subscribe-url http://127.0.0.1:6001 \
            --subscribe-url http://127.0.0.1:6002 --server-pid $A --server-pid $B
            """)

    @Option(help: "Base URL of the server: http:// or https:// (TLS); the WebSocket URL is derived (ws://, wss://).")
    var url = "http://127.0.0.1:6001"
    @Option(help: "Pusher app id.") var appId = "app-id"
    @Option(help: "Pusher app key.") var key = "app-key"
    @Option(help: "Pusher app secret (default: env BELFRY_BENCH_SECRET, else app-secret).") var secret: String?
    @Option(name: .customLong("protocol"), help: "Server dialect: pusher or nchan.") var protocolKind: BenchProtocol =
        .pusher
    @Option(help: "Subscriber connections.") var connections = 1000
    @Option(help: "Channels the connections are spread over (connection i joins <prefix>-<i%G>).") var channels = 1
    @Option(help: "Channel name prefix.") var channelPrefix = "bench"
    @Option(help: "Maximum handshakes in flight.") var connectConcurrency = 500
    @Option(help: "Events to publish (message j goes to channel j%G).") var messages = 2000
    @Option(help: "Messages per second over all publishers (0 = flat out).") var rate: Double = 0
    @Option(help: "Keep-alive HTTP/1.1 publisher connections.") var publishers = 1
    @Option(help: "Pipelined requests in flight per publisher connection.") var depth = 1
    @Option(help: "Seconds to keep idle connections open after all are ready, before publishing.") var hold: Double = 0
    @Option(
        name: .customLong("subscribe-url"),
        help: ArgumentHelp(
            "Base URL the subscribers connect to instead of --url (repeatable: the subscribers are spread over them, "
                + "the k-th of each channel to URL k % count); the publishers stay on --url.",
            valueName: "url")) var subscribeURLs: [String] = []
    @Option(
        name: .customLong("server-pid"),
        help: ArgumentHelp(
            "A server's pid: sample its RSS and CPU from /proc (repeatable: the first gives the server figures, "
                + "the others are reported after it).",
            valueName: "pid")) var serverPids: [Int32] = []
    @Option(help: "Hard bound on the whole run, in seconds.") var timeLimit: Double = 60
    @Option(help: "Bound on one connection's handshake, in seconds.") var connectTimeout: Double = 10
    @Option(help: "Seconds without a new frame before missing frames count as lost.") var drain: Double = 2
    @Option(help: "Client event loop threads.") var threads = 1
    @Flag(help: "With https://: accept any server certificate (self-signed test deployments).") var insecure = false
    @Flag(help: "Print only the JSON line.") var json = false
    @Flag(help: "Print a progress line per second to stderr even when it is not a terminal.") var progress = false
    @Flag(help: "No progress lines.") var quiet = false

    /// The flags as library options.
    var options: BenchOptions {
        var o = BenchOptions()
        o.url = url
        o.subscribeURLs = subscribeURLs
        o.appID = appId
        o.key = key
        o.secret = secret ?? ProcessInfo.processInfo.environment["BELFRY_BENCH_SECRET"] ?? "app-secret"
        o.protocolKind = protocolKind
        o.connections = connections
        o.channels = channels
        o.channelPrefix = channelPrefix
        o.connectConcurrency = connectConcurrency
        o.messages = messages
        o.rate = rate
        o.publishers = publishers
        o.depth = depth
        o.hold = hold
        o.serverPIDs = serverPids
        o.timeLimit = timeLimit
        o.connectTimeout = connectTimeout
        o.drain = drain
        o.threads = threads
        o.insecure = insecure
        return o
    }

    func validate() throws {
        if let error = options.validate() { throw ValidationError(error.description) }
    }

    func run() async throws {
        let showProgress = !quiet && (progress || isatty(STDERR_FILENO) != 0)
        var sink: (@Sendable (ProgressLine) -> Void)?
        if showProgress {
            sink = { line in FileHandle.standardError.write(Data((line.text + "\n").utf8)) }
        }
        let report = try await BenchRun(options: options, progress: sink).run()
        if !json { print(report.table()) }
        print(report.jsonLine())
        if !report.succeeded { throw ExitCode(1) }
    }
}

extension BenchProtocol: ExpressibleByArgument {}
