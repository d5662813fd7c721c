import Atomics
import Foundation
import NIOCore

/// The public port's share of the process's file descriptors. Past `softLimit` open sockets the
/// port still answers HTTP (health probes, the API) but refuses WebSocket upgrades; past
/// `hardLimit` a new socket only gets a canned answer (`/healthz` 200, anything else 503) and is
/// closed; past `triageLimit` it is closed as soon as it is accepted. The descriptors above stay
/// free for the admin port, the database and git, so one client opening sockets without end
/// cannot starve them. Accept errors (EMFILE, ENFILE) back off instead of spinning.
///
/// Every mutable value is an atomic.
public final class DescriptorBudget: Sendable {
    /// Sockets of the public port that may be open at once before upgrades are refused.
    public let softLimit: Int
    /// Sockets of the public port past which new ones only get a canned answer.
    public let hardLimit: Int
    /// Sockets of the public port past which new ones are closed on accept.
    public let triageLimit: Int
    /// The process's descriptor limit (`RLIMIT_NOFILE`, soft) when the budget was made.
    public let processLimit: Int
    private let open = ManagedAtomic(0)
    private let refused = ManagedAtomic(0)
    private let acceptErrors = ManagedAtomic(0)
    /// Uptime (ns) of the last accept error or refusal; 0 when none.
    private let lastPressure = ManagedAtomic<UInt64>(0)

    /// - Parameters:
    ///   - processLimit: the descriptor limit of the process.
    ///   - inUse: descriptors already open that the public port does not own (files, the admin port).
    ///   - reserve: descriptors kept free beyond `inUse`.
    public init(processLimit: Int, inUse: Int, reserve: Int) {
        self.processLimit = processLimit
        let available = max(processLimit - inUse, 4)
        triageLimit = max(available - reserve / 4, 1)
        hardLimit = max(available - reserve / 2, 1)
        softLimit = max(available - reserve, 1)
    }

    /// A budget for this process: raises the soft descriptor limit to the hard one (as servers
    /// do), then measures what is open now.
    public static func forThisProcess(reserve: Int) -> DescriptorBudget {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let inUse = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 16
        let processLimit = limit.rlim_cur > UInt64(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
        return DescriptorBudget(processLimit: processLimit, inUse: inUse, reserve: reserve)
    }

    /// What to do with a socket just accepted.
    public enum Admission: Equatable, Sendable {
        /// Serve it fully.
        case open
        /// Serve HTTP, refuse a WebSocket upgrade (503).
        case httpOnly
        /// Answer with a canned response (`/healthz` 200, else 503), then close.
        case triage
        /// Close it at once.
        case refuse
    }

    /// Counts a newly accepted socket and decides its fate; a socket not refused must be
    /// `release`d when it closes.
    public func admit(now: UInt64) -> Admission {
        let count = open.loadThenWrappingIncrement(ordering: .relaxed) + 1
        if count > triageLimit {
            open.wrappingDecrement(ordering: .relaxed)
            refused.wrappingIncrement(ordering: .relaxed)
            lastPressure.store(now, ordering: .relaxed)
            return .refuse
        }
        if count > hardLimit {
            refused.wrappingIncrement(ordering: .relaxed)
            lastPressure.store(now, ordering: .relaxed)
            return .triage
        }
        if count > softLimit {
            lastPressure.store(now, ordering: .relaxed)
            return .httpOnly
        }
        return .open
    }

    /// Whether a WebSocket upgrade may take a descriptor now.
    public var allowsUpgrade: Bool { open.load(ordering: .relaxed) <= softLimit }

    public func release() { open.wrappingDecrement(ordering: .relaxed) }

    /// Records a failed `accept` (EMFILE, ENFILE, …): the caller backs off.
    public func acceptFailed(now: UInt64) {
        acceptErrors.wrappingIncrement(ordering: .relaxed)
        lastPressure.store(now, ordering: .relaxed)
    }

    /// The figures for `/readyz` and `/metrics`.
    public struct Status: Sendable, Equatable {
        public var open: Int
        public var softLimit: Int
        public var hardLimit: Int
        public var processLimit: Int
        public var refused: Int
        public var acceptErrors: Int
        /// Refusals or accept errors happened in the last 10 s.
        public var underPressure: Bool
    }

    public func status(now: UInt64) -> Status {
        let last = lastPressure.load(ordering: .relaxed)
        let open = open.load(ordering: .relaxed)
        return Status(
            open: open, softLimit: softLimit, hardLimit: hardLimit, processLimit: processLimit,
            refused: refused.load(ordering: .relaxed), acceptErrors: acceptErrors.load(ordering: .relaxed),
            underPressure: open > softLimit || (last != 0 && now &- last < 10_000_000_000))
    }

    /// Nil while there is room, else why the node should not get new traffic.
    func readinessProblem(now: UInt64) -> String? {
        let s = status(now: now)
        guard s.underPressure else { return nil }
        return "descriptors exhausted: \(s.open) public sockets open (WebSocket limit \(s.softLimit), "
            + "process limit \(s.processLimit)), \(s.refused) refused, \(s.acceptErrors) accept errors"
    }
}
