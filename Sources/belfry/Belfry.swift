import ArgumentParser

/// The `belfry` command: a Pusher-compatible WebSocket server configured from manifests.
@main
struct Belfry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "belfry",
        abstract: "A Pusher-protocol compatible, multi-app WebSocket server configured from YAML manifests.",
        discussion: """
            Every flag of `serve` can also be given as an environment variable BELFRY_<FLAG> \
            (BELFRY_PORT, BELFRY_SOURCE, BELFRY_ACTIVITY_TIMEOUT, …).
            """,
        subcommands: [Serve.self, Validate.self]
    )
}
