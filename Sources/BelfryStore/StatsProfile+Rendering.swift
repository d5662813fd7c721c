import Foundation

extension StatsProfile {
    /// The CSV columns, in order; the JSON slots carry the same keys.
    public static let csvHeader = [
        "profile", "slot", "hours", "peakConnections", "averageConnections", "newConnectionsPerHour",
        "messagesDeliveredPerHour", "bytesInPerHour", "bytesOutPerHour",
    ]

    /// Two aligned tables (hours of the day, days of the week) with a bar of each slot's peak,
    /// then the busiest hour and day. Ends with a newline.
    public func renderTable() -> String {
        let name = app == StatsOverview.totalName ? "all apps" : app
        var text = "\(name): busy times (UTC), \(StatsReport.iso(from)) to \(StatsReport.iso(to))\n"
        guard let busiestHour, let busiestDay else { return text + "no data\n" }
        let scale = max(1, busiestHour.peakConnections)
        for (title, slots) in [("hour", hourOfDay), ("day", dayOfWeek)] {
            let header = [title, "hours", "peak", "avg", "new/h", "sent/h", "in/h", "out/h", ""]
            let lines =
                [header]
                + slots.map { slot in
                    let bar = String(repeating: "#", count: (slot.peakConnections * 30 + scale - 1) / scale)
                    return [
                        slot.label, "\(slot.hours)", "\(slot.peakConnections)",
                        String(format: "%.2f", slot.averageConnections),
                        Self.decimal(slot.perHour(slot.newConnections)),
                        Self.decimal(slot.perHour(slot.messagesDelivered)),
                        StatsReport.bytes(Int(slot.perHour(slot.bytesIn).rounded())),
                        StatsReport.bytes(Int(slot.perHour(slot.bytesOut).rounded())), bar,
                    ]
                }
            let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
            for line in lines {
                let cells = line.enumerated().map { column, cell in
                    let padding = String(repeating: " ", count: widths[column] - cell.count)
                    return column == 0 || column == header.count - 1 ? cell + padding : padding + cell
                }
                text += cells.joined(separator: "  ").trimmingTrailingSpaces + "\n"
            }
            text += "\n"
        }
        text += "busiest hour of day: \(busiestHour.label) UTC, " + Self.summary(busiestHour) + "\n"
        text += "busiest day of week: \(busiestDay.label), " + Self.summary(busiestDay) + "\n"
        return text
    }

    /// RFC 4180 CSV: the `csvHeader` line, the 24 hours, then the 7 days. Ends with a newline.
    public func renderCSV() -> String {
        var text = Self.csvHeader.joined(separator: ",") + "\n"
        for slot in hourOfDay + dayOfWeek {
            text += Self.cells(slot).map(\.text).joined(separator: ",") + "\n"
        }
        return text
    }

    /// `{"app","from","to","slots":[{csvHeader keys}],"busiestHour":slot|null,"busiestDay":slot|null}`.
    /// One line.
    public func renderJSON() -> String {
        func object(_ slot: Slot?) -> String {
            guard let slot else { return "null" }
            let fields = Self.cells(slot).enumerated().map { "\"\(Self.csvHeader[$0.offset])\":\($0.element.json)" }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "{\"app\":\(StatsReport.jsonString(app)),\"from\":\"\(StatsReport.iso(from))\","
            + "\"to\":\"\(StatsReport.iso(to))\",\"slots\":["
            + (hourOfDay + dayOfWeek).map(object).joined(separator: ",") + "],\"busiestHour\":"
            + object(busiestHour) + ",\"busiestDay\":" + object(busiestDay) + "}\n"
    }

    private static func cells(_ slot: Slot) -> [(text: String, json: String)] {
        func number(_ text: String) -> (text: String, json: String) { (text, text) }
        return [
            (slot.profile, "\"\(slot.profile)\""), (slot.label, "\"\(slot.label)\""), number("\(slot.hours)"),
            number("\(slot.peakConnections)"), number(String(format: "%.2f", slot.averageConnections)),
            number(decimal(slot.perHour(slot.newConnections))), number(decimal(slot.perHour(slot.messagesDelivered))),
            number(decimal(slot.perHour(slot.bytesIn))), number(decimal(slot.perHour(slot.bytesOut))),
        ]
    }

    private static func summary(_ slot: Slot) -> String {
        "\(slot.peakConnections) connections at peak, \(String(format: "%.2f", slot.averageConnections)) on average"
            + " (\(slot.hours) hours)"
    }

    /// Two decimals, for means per hour.
    private static func decimal(_ value: Double) -> String { String(format: "%.2f", value) }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
