import Foundation

/// When an app is busy, for capacity planning: its hourly statistics folded onto the 24 hours
/// of the day and the 7 days of the week (UTC), each slot with its peak and average connections
/// and its traffic per hour.
///
/// ```swift
/// let profile = StatsProfile(app: "chat", from: weekAgo, to: now, hourlyRows: rows)
/// profile.busiestHour?.label  // "14:00"
/// ```
public struct StatsProfile: Sendable, Equatable {
    /// One hour of the day or day of the week.
    public struct Slot: Sendable, Equatable {
        /// `"hourOfDay"` or `"dayOfWeek"`.
        public var profile: String
        /// `"00:00"` … `"23:00"`, or `"Mon"` … `"Sun"`.
        public var label: String
        /// The hours with statistics (the server was running) that fell in this slot.
        public var hours = 0
        /// The most concurrent connections seen in any of those hours.
        public var peakConnections = 0
        public var connectionSampleSum = 0
        public var connectionSamples = 0
        public var newConnections = 0
        public var messagesDelivered = 0
        public var bytesIn = 0
        public var bytesOut = 0

        /// The average of the connection counts sampled in the slot's hours.
        public var averageConnections: Double {
            connectionSamples > 0 ? Double(connectionSampleSum) / Double(connectionSamples) : 0
        }

        /// A counter's mean per hour of the slot (0 without hours).
        public func perHour(_ total: Int) -> Double { hours > 0 ? Double(total) / Double(hours) : 0 }

        mutating func add(_ row: StatsRow) {
            hours += 1
            peakConnections = max(peakConnections, row.peakConnections)
            connectionSampleSum += row.connectionSampleSum
            connectionSamples += row.connectionSamples
            newConnections += row.newConnections
            messagesDelivered += row.messagesDelivered
            bytesIn += row.bytesIn
            bytesOut += row.bytesOut
        }

        /// Busier: the higher peak, then the higher average.
        func isBusier(than other: Slot) -> Bool {
            (peakConnections, averageConnections) > (other.peakConnections, other.averageConnections)
        }
    }

    /// The app's name, or `*` for all apps together.
    public var app: String
    public var from: Date
    public var to: Date
    /// 24 slots, `00:00` first.
    public var hourOfDay: [Slot]
    /// 7 slots, Monday first.
    public var dayOfWeek: [Slot]

    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// The profile of `hourlyRows` (one row per UTC hour, as `Store.stats(by: .hour)` returns).
    public init(app: String, from: Date, to: Date, hourlyRows: [StatsRow]) {
        self.app = app
        self.from = from
        self.to = to
        hourOfDay = (0..<24).map { Slot(profile: "hourOfDay", label: String(format: "%02d:00", $0)) }
        dayOfWeek = Self.dayNames.map { Slot(profile: "dayOfWeek", label: $0) }
        for row in hourlyRows {
            let hours = Int((row.periodStart.timeIntervalSince1970 / 3600).rounded(.down))
            let hour = ((hours % 24) + 24) % 24
            // 1970-01-01 was a Thursday: day 0 is index 3 from Monday.
            let day = (((hours / 24 + 3) % 7) + 7) % 7
            hourOfDay[hour].add(row)
            dayOfWeek[day].add(row)
        }
    }

    /// The hour of the day with the highest peak (then average); nil without data.
    public var busiestHour: Slot? { Self.busiest(hourOfDay) }
    /// The day of the week with the highest peak (then average); nil without data.
    public var busiestDay: Slot? { Self.busiest(dayOfWeek) }

    private static func busiest(_ slots: [Slot]) -> Slot? {
        slots.filter { $0.hours > 0 }.reduce(nil) { best, slot in
            guard let best else { return slot }
            return slot.isBusier(than: best) ? slot : best
        }
    }
}
