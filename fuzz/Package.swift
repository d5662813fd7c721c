// swift-tools-version:5.4
// Fuzz targets for Belfry's parsers (libFuzzer). Built apart from the main package, into
// ../.build-fuzz, by `fuzz/run.sh build`; see fuzz/README.md.
//
// The product modules are compiled from the main package's sources through the symbolic links
// in Sources/ (SwiftPM keeps a target's path inside its package), so internal types such as
// HTTP1Parser are reachable without changing the main package. The pure modules are taken
// whole, so that new files in them need no change here; of BelfryServer only the two files
// that depend on nothing else of the server.
import PackageDescription

/// libFuzzer supplies `main`; the harness only exports `LLVMFuzzerTestOneInput`. (Tools version
/// 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point to `<module>_main`
/// and links `main` to it, which collides with libFuzzer's `main`. 5.4 also means Swift 5
/// language mode, as BelfryServer is built in the main package.)
let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]

func fuzzer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)", dependencies: dependencies, path: "Fuzzers/\(name)",
        swiftSettings: harness, linkerSettings: fuzzerLink)
}

func nio(_ product: String) -> Target.Dependency { .product(name: product, package: "swift-nio") }
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")

let package = Package(
    name: "belfry-fuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "BelfryJSON"),
        .target(name: "JSONSchema", dependencies: ["BelfryJSON"]),
        .target(name: "PusherProtocol", dependencies: ["BelfryJSON", crypto]),
        .target(
            name: "BelfryManifest",
            dependencies: [
                "BelfryJSON", "JSONSchema", "PusherProtocol", .product(name: "Yams", package: "Yams"), crypto,
            ]
        ),
        // The request parser and the frame reader, without the rest of the server.
        .target(
            name: "BelfryServer", dependencies: ["BelfryJSON", nio("NIOCore")],
            sources: [
                "HTTP1Parser.swift", "FrameReader.swift", "InboundFrameRules.swift", "ClusterLink.swift",
                "Readiness.swift",
            ],
            swiftSettings: [.unsafeFlags(["-enable-testing"])]),
        // The RESP reader and the cluster's bus envelope.
        .target(name: "BelfryRedis", sources: ["RESPParser.swift", "RESPValue.swift"]),
        .target(name: "BelfryCluster", dependencies: ["BelfryServer"], sources: ["ClusterEnvelope.swift"]),
        fuzzer("http1", ["BelfryServer", nio("NIOCore")]),
        fuzzer(
            "websocket",
            ["BelfryServer", "PusherProtocol", nio("NIOCore")]),
        fuzzer("json", ["BelfryJSON"]),
        fuzzer("manifest", ["BelfryManifest"]),
        fuzzer("schema", ["JSONSchema", "BelfryJSON", "BelfryManifest"]),
        fuzzer("cluster", ["BelfryCluster", "BelfryRedis"]),
    ]
)
