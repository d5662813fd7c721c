// swift-tools-version: 6.2
// Belfry: a Pusher-protocol compatible, multi-app WebSocket server configured from git.
//
// Layers (dependencies point one way):
//   pure:        BelfryJSON (order-preserving JSON values, strict parser)
//                JSONSchema (an honest draft 2020-12 validator)
//                PusherProtocol (wire format, channels, signatures, presence, timers)
//                BelfryManifest (manifest model, YAML decoding, config snapshot)
//                BelfryPlan (desired vs current: create/update/delete, renderers)
//   I/O:         BelfrySource (reading manifests from a directory)
//                BelfryGit (libgit2: clone, fetch, read a commit's tree)
//                BelfryStore (SQLite via GRDB: applied config, credentials, history)
//                BelfryServer (SwiftNIO: WebSocket + HTTP API on one port)
//                BelfryEpoll (an event loop over epoll(7) for sockets served without NIO's channels)
//                BelfryRedis (a small RESP2/RESP3 client on SwiftNIO: pipelining, pub/sub, reconnect)
//                BelfryCluster (nodes as one server over Redis: bus, shares, heartbeats, reaping)
//                BelfryStatus (the status page: sessions, login throttle, templates, charts)
//                BelfryWebhooks (durable webhook outbox in SQLite and HTTP delivery, as a Service)
//                BelfryReconciler (the loop: source → validate → plan → apply, as a Service)
//                BelfryBench (a Pusher/nchan load generator: SwiftNIO client, latency histogram)
//   executable:  belfry (argument parsing and wiring only)
//   bench-only:  niofloor (bench/niofloor: the least a SwiftNIO server does for the benchmark's clients)
//   test-only:   BelfryTestSupport (mock clock, fixtures)
import PackageDescription

/// Our own targets treat warnings as errors; dependencies are left alone.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "belfry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "belfry", targets: ["belfry"]),
        .executable(name: "niofloor", targets: ["niofloor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Only its HummingbirdBcrypt product (C bcrypt, no Hummingbird) is built.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "BelfryJSON",
            swiftSettings: strict
        ),
        .target(
            name: "JSONSchema",
            dependencies: ["BelfryJSON"],
            swiftSettings: strict
        ),
        .target(
            name: "PusherProtocol",
            dependencies: ["BelfryJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryManifest",
            dependencies: [
                "BelfryJSON", "JSONSchema", "PusherProtocol", .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryPlan",
            dependencies: ["BelfryManifest", "BelfryJSON", "PusherProtocol"],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "CGitShims", dependencies: ["CLibGit2"]),
        // <sys/epoll.h>, <sys/eventfd.h> and accept4 for BelfryEpoll.
        .target(name: "CEpoll"),
        .target(
            name: "BelfryEpoll",
            dependencies: [
                "CEpoll", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryGit",
            dependencies: ["CLibGit2", "CGitShims"],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryStore",
            dependencies: ["BelfryManifest", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "BelfrySource",
            dependencies: ["BelfryManifest", "BelfryGit"],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryServer",
            dependencies: [
                "BelfryJSON",
                "PusherProtocol",
                "BelfryManifest",
                "BelfryEpoll",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // NIO channel handlers are event-loop confined rather than Sendable; Swift 5 mode keeps
            // that idiom readable. Shared state is still guarded (see each @unchecked Sendable).
            swiftSettings: strict + [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "BelfryRedis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryCluster",
            dependencies: [
                "BelfryRedis", "BelfryServer", "BelfryJSON", "BelfryManifest",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryStatus",
            dependencies: [
                "BelfryJSON",
                "BelfryManifest",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.embedInCode("Templates"), .embedInCode("Assets")],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryWebhooks",
            dependencies: [
                "BelfryJSON", "BelfryManifest", "BelfryServer", "BelfryStore", "PusherProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryReconciler",
            dependencies: [
                "BelfryManifest", "BelfryPlan", "BelfrySource",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "BelfryBench",
            dependencies: [
                "PusherProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            // Channel handlers are event-loop confined, as in BelfryServer.
            swiftSettings: strict + [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "belfry",
            dependencies: [
                "BelfryBench", "BelfryCluster", "BelfryRedis",
                "BelfryServer",
                "BelfrySource",
                "BelfryManifest",
                "BelfryReconciler",
                "BelfryStatus",
                "BelfryStore",
                "BelfryWebhooks",
                "BelfryPlan",
                "BelfryGit",
                "BelfryJSON",
                .product(name: "Prometheus", package: "swift-prometheus"),
                "PusherProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The OpenAPI document of /api/v1 (generated by scripts/openapi.py), served at /api/v1/openapi.json.
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: strict
        ),
        // The floor Belfry is measured against in bench/compare.sh --floor (BENCHMARKS.md).
        .executableTarget(
            name: "niofloor",
            dependencies: [
                "BelfryEpoll", "CEpoll", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "bench/niofloor",
            swiftSettings: strict
        ),
        .target(
            name: "BelfryTestSupport",
            dependencies: ["PusherProtocol", "BelfryManifest"],
            swiftSettings: strict
        ),
        // The documentation's Swift example, run against a real server by tests/docs.
        .testTarget(
            name: "DocsExampleTests",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryEpollTests",
            dependencies: ["BelfryEpoll", "CEpoll", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryBenchTests",
            dependencies: ["BelfryBench", "PusherProtocol", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryRedisTests",
            dependencies: ["BelfryRedis", "BelfryTestSupport", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryClusterTests",
            dependencies: [
                "BelfryCluster", "BelfryServer", "BelfryRedis", "BelfryJSON", "BelfryManifest", "BelfryTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryStatusTests",
            dependencies: ["BelfryStatus", "BelfryManifest", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryJSONTests",
            dependencies: ["BelfryJSON", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryPlanTests",
            dependencies: ["BelfryPlan", "BelfryManifest", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryGitTests",
            dependencies: ["BelfryGit", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfrySourceTests",
            dependencies: ["BelfrySource", "BelfryGit"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryStoreTests",
            dependencies: ["BelfryStore", "BelfryManifest", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryReconcilerTests",
            dependencies: [
                "BelfryReconciler", "BelfryManifest", "BelfrySource",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryWebhooksTests",
            dependencies: [
                "BelfryWebhooks", "BelfryServer", "BelfryStore", "BelfryManifest", "BelfryJSON", "BelfryTestSupport",
                "PusherProtocol", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "JSONSchemaTests",
            dependencies: ["JSONSchema", "BelfryJSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PusherProtocolTests",
            dependencies: ["BelfryJSON", "PusherProtocol", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryManifestTests",
            dependencies: ["BelfryManifest", "BelfrySource", "BelfryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BelfryServerTests",
            dependencies: [
                "BelfryServer", "BelfryJSON", "PusherProtocol", "BelfryManifest", "BelfryTestSupport", "BelfryEpoll",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
