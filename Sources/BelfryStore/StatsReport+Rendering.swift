import Foundation

extension StatsReport {
    /// The CSV columns, in order; maps are flattened as `key:count` pairs joined by `;`.
    public static let csvHeader = [
        "periodStart", "peakConnections", "averageConnections", "newConnections", "disconnections", "subscriptions",
        "messagesReceived", "messagesDelivered", "apiRequests", "bytesIn", "bytesOut", "rejections", "peakChannels",
        "webhooks",
    ]

    /// An aligned text table for a terminal: one line per period, a total line, then the peak,
    /// bandwidth totals and the breakdowns by close code, endpoint and reason. Ends with a newline.
    public func renderTable() -> String {
        var text = "\(app) by \(by.rawValue), \(Self.iso(from)) to \(Self.iso(to))\n"
        guard !rows.isEmpty else { return text + "no data\n" }
        text += Self.alignedTable(
            header: "period", lines: rows.map { (Self.label($0.periodStart, by), $0) } + [("total", totals)])
        text += "peak usage: \(Self.peakText(peak))\n"
        text += "bandwidth: \(Self.bandwidthText(totals))\n"
        text += "disconnections: \(Self.list(totals.disconnections))\n"
        text += "api requests: \(Self.list(totals.apiRequests))\n"
        text += "rejections: \(Self.list(totals.rejections))\n"
        text += "webhooks: \(Self.list(totals.webhooks))\n"
        return text
    }

    /// Rows under a header line, columns aligned (the first to the left, numbers to the right).
    static func alignedTable(header first: String, lines rows: [(String, StatsRow)]) -> String {
        let header = [
            first, "peak", "avg", "new", "closed", "subs", "recv", "sent", "api", "in", "out", "rejected", "channels",
        ]
        let lines = [header] + rows.map { tableCells($0.1, label: $0.0) }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for line in lines {
            let cells = line.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    /// `7 connections in the hour from 2023-11-14 23:00`, or `no connections`.
    static func peakText(_ peak: Peak?) -> String {
        guard let peak else { return "no connections" }
        let when: String
        switch peak.period {
        case .minute: when = "at"
        case .hour: when = "in the hour from"
        case .day: when = "on"
        }
        return "\(peak.connections) connections \(when) \(label(peak.at, peak.period))"
    }

    /// `1.3 KiB in (1334 bytes), 1.9 MiB out (2004096 bytes)`.
    static func bandwidthText(_ totals: StatsRow) -> String {
        "\(bytes(totals.bytesIn)) in (\(totals.bytesIn) bytes), \(bytes(totals.bytesOut)) out (\(totals.bytesOut) bytes)"
    }

    /// RFC 4180 CSV: the `csvHeader` line, then one line per period (no totals). Ends with a newline.
    public func renderCSV() -> String {
        var text = Self.csvHeader.joined(separator: ",") + "\n"
        for row in rows {
            let cells = [Self.iso(row.periodStart)] + Self.counterCells(row).map(\.text)
            text += cells.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    /// One line of JSON with a stable key order:
    /// `{"app","from","to","by","rows":[{"periodStart",…counters}],"totals":{…counters},
    /// "peak":{"at","connections","period"} or null}`. Maps are objects, averages have 2 decimals.
    public func renderJSON() -> String {
        func object(_ row: StatsRow, periodStart: Bool) -> String {
            let start = periodStart ? ["\"periodStart\":\(Self.jsonString(Self.iso(row.periodStart)))"] : []
            let counters = Self.counterCells(row).enumerated().map { index, cell in
                "\(Self.jsonString(Self.csvHeader[index + 1])):\(cell.json)"
            }
            return "{" + (start + counters).joined(separator: ",") + "}"
        }
        var fields = [
            "\"app\":\(Self.jsonString(app))", "\"from\":\(Self.jsonString(Self.iso(from)))",
            "\"to\":\(Self.jsonString(Self.iso(to)))", "\"by\":\(Self.jsonString(by.rawValue))",
            "\"rows\":[" + rows.map { object($0, periodStart: true) }.joined(separator: ",") + "]",
            "\"totals\":" + object(totals, periodStart: false),
        ]
        if let peak {
            fields.append(
                "\"peak\":{\"at\":\(Self.jsonString(Self.iso(peak.at))),\"connections\":\(peak.connections),"
                    + "\"period\":\(Self.jsonString(peak.period.rawValue))}")
        } else {
            fields.append("\"peak\":null")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// The counters of `row` in `csvHeader` order after `periodStart`, as CSV text and JSON.
    private static func counterCells(_ row: StatsRow) -> [(text: String, json: String)] {
        func number(_ value: Int) -> (text: String, json: String) { ("\(value)", "\(value)") }
        func map(_ value: [String: Int]) -> (text: String, json: String) {
            let pairs = value.sorted { $0.key < $1.key }
            return (
                pairs.map { "\($0.key):\($0.value)" }.joined(separator: ";"),
                "{" + pairs.map { "\(jsonString($0.key)):\($0.value)" }.joined(separator: ",") + "}"
            )
        }
        let average = String(format: "%.2f", row.averageConnections)
        return [
            number(row.peakConnections), (average, average), number(row.newConnections), map(row.disconnections),
            number(row.subscriptions), number(row.messagesReceived), number(row.messagesDelivered),
            map(row.apiRequests), number(row.bytesIn), number(row.bytesOut), map(row.rejections),
            number(row.peakChannels), map(row.webhooks),
        ]
    }

    private static func tableCells(_ row: StatsRow, label: String) -> [String] {
        [
            label, "\(row.peakConnections)", String(format: "%.2f", row.averageConnections), "\(row.newConnections)",
            "\(row.disconnections.values.reduce(0, +))", "\(row.subscriptions)", "\(row.messagesReceived)",
            "\(row.messagesDelivered)", "\(row.apiRequests.values.reduce(0, +))", bytes(row.bytesIn),
            bytes(row.bytesOut), "\(row.rejections.values.reduce(0, +))", "\(row.peakChannels)",
        ]
    }

    /// `2023-11-14T22:13:00Z`: UTC, whole seconds.
    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// `2023-11-14 22:13` for minutes and hours, `2023-11-14` for days.
    static func label(_ date: Date, _ resolution: StatsResolution) -> String {
        let text = iso(date).replacingOccurrences(of: "T", with: " ")
        return String(text.prefix(resolution == .day ? 10 : 16))
    }

    /// `512 B`, `1.5 KiB`, `3.2 GiB`.
    static func bytes(_ count: Int) -> String {
        guard count >= 1024 else { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    private static func list(_ map: [String: Int]) -> String {
        map.isEmpty ? "none" : map.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
