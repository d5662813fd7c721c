/// A line chart as the `chart` template draws it: inline SVG paths computed here from a fixed
/// number of points, the same numbers as a table for screen readers and for copying.
///
/// Pure: the text it holds is escaped by the template; the path holds only numbers.
public struct Chart: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        /// 0 or 1: the stylesheet draws 0 solid and 1 dashed, in two colours.
        public var index: Int
        public var name: String
        /// SVG path data in the chart's viewBox.
        public var path: String
    }

    public struct Row: Sendable, Equatable {
        public var label: String
        public var values: [String]
    }

    public var id: String
    public var title: String
    /// One sentence: the peak and the latest value of each series.
    public var summary: String
    public var series: [Series]
    public var rows: [Row]
    public var periodHeader: String
    public var startLabel: String
    public var endLabel: String
    public var maxLabel: String
    /// The viewBox (stored, not computed: templates read stored properties only).
    public var width = Chart.viewWidth
    public var height = Chart.viewHeight
    public var half = Chart.viewHeight / 2
    static let viewWidth = 600
    static let viewHeight = 160

    /// - Parameters:
    ///   - labels: one per point, oldest first (the table's first column, and the axis ends).
    ///   - values: up to two series, each with one value per label.
    ///   - format: how a value is written (counts, bytes).
    public init(
        id: String, title: String, periodHeader: String, labels: [String], values: [(name: String, points: [Double])],
        format: (Double) -> String = Chart.count
    ) {
        self.id = id
        self.title = title
        self.periodHeader = periodHeader
        let maximum = values.flatMap(\.points).max() ?? 0
        let top = maximum > 0 ? maximum : 1
        let width = Double(Self.viewWidth)
        let height = Double(Self.viewHeight)
        series = values.prefix(2).enumerated().map { index, entry in
            func y(_ value: Double) -> String { Self.coordinate(height - 4 - (value / top) * (height - 8)) }
            guard entry.points.count > 1 else {
                // One point: a level line across the chart.
                let level = y(entry.points.first ?? 0)
                return Series(index: index, name: entry.name, path: "M0 \(level) L\(Self.viewWidth) \(level)")
            }
            let step = width / Double(entry.points.count - 1)
            let path = entry.points.enumerated().map { i, value in
                (i == 0 ? "M" : "L") + Self.coordinate(Double(i) * step) + " " + y(value)
            }.joined(separator: " ")
            return Series(index: index, name: entry.name, path: path)
        }
        rows = labels.enumerated().map { i, label in
            Row(label: label, values: values.prefix(2).map { i < $0.points.count ? format($0.points[i]) : "" })
        }
        startLabel = labels.first ?? ""
        endLabel = labels.last ?? ""
        maxLabel = format(maximum)
        summary =
            values.prefix(2).map { entry in
                let peak = entry.points.enumerated().max { $0.element < $1.element }
                let peakText = peak.map { "peak \(format($0.element)) at \(labels[$0.offset])" } ?? "no data"
                return "\(entry.name): \(peakText), latest \(format(entry.points.last ?? 0))"
            }.joined(separator: "; ") + "."
    }

    private static func coordinate(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Whole numbers as counts, fractions with one decimal: 12, 1 204, 3.5.
    public static func count(_ value: Double) -> String {
        if value == value.rounded() { return Format.grouped(Int(value)) }
        return String((value * 10).rounded() / 10)
    }

    /// Bytes with a binary unit: 512 B, 1.5 KiB, 3.2 MiB.
    public static func bytes(_ value: Double) -> String { Format.bytes(Int(value)) }
}
