import BelfryJSON

/// One event to publish through the HTTP API, validated.
public struct TriggerEvent: Sendable, Equatable {
    public var name: String
    public var data: String
    public var channels: [String]
    /// A socket id that must not receive the event.
    public var socketID: String?
    /// Requested attributes from `info`: `user_count`, `subscription_count`.
    public var info: [String]
}

/// Parsing and validation of `POST /events` and `POST /batch_events` bodies, with hosted
/// Pusher's limits: 100 channels per event, 10 events per batch, 10 KB of data, 200-character names.
public enum TriggerRequest {
    public static let maxChannels = 100
    public static let maxBatch = 10
    public static let maxNameLength = 200
    public static let infoAttributes: Set<String> = ["user_count", "subscription_count"]

    /// Parses the body of `POST /apps/{id}/events`.
    public static func event(body: [UInt8], maxDataBytes: Int) -> Result<TriggerEvent, APIError> {
        switch parseObject(body) {
        case .failure(let e): return .failure(e)
        case .success(let value): return event(from: value, batchIndex: nil, maxDataBytes: maxDataBytes)
        }
    }

    /// Parses the body of `POST /apps/{id}/batch_events`.
    public static func batch(body: [UInt8], maxDataBytes: Int) -> Result<[TriggerEvent], APIError> {
        let value: JSONValue
        switch parseObject(body) {
        case .failure(let e): return .failure(e)
        case .success(let v): value = v
        }
        guard let items = value["batch"]?.arrayValue else {
            return .failure(.badRequest("Body needs a \"batch\" array"))
        }
        guard !items.isEmpty else { return .failure(.badRequest("\"batch\" is empty")) }
        guard items.count <= maxBatch else {
            return .failure(.batchTooLarge(count: items.count, limit: maxBatch))
        }
        var events: [TriggerEvent] = []
        for (index, item) in items.enumerated() {
            guard item.isObject else { return .failure(.badRequest("batch[\(index)] must be an object")) }
            switch event(from: item, batchIndex: index, maxDataBytes: maxDataBytes) {
            case .success(let e): events.append(e)
            // A 413 names the event itself (Pusher's phrase comes first); the others are prefixed.
            case .failure(let e) where e.status == 413: return .failure(e)
            case .failure(let e): return .failure(APIError(e.status, "batch[\(index)]: \(e.message)"))
            }
        }
        return .success(events)
    }

    private static func parseObject(_ body: [UInt8]) -> Result<JSONValue, APIError> {
        guard let value = try? JSONParser.parse(body) else { return .failure(.badRequest("Body is not valid JSON")) }
        guard value.isObject else { return .failure(.badRequest("Body must be a JSON object")) }
        return .success(value)
    }

    /// One event of `POST /events` (`batchIndex` nil) or of a batch (one `channel` each).
    private static func event(
        from value: JSONValue, batchIndex: Int?, maxDataBytes: Int
    ) -> Result<TriggerEvent, APIError> {
        let batch = batchIndex != nil
        guard let name = value["name"]?.stringValue, !name.isEmpty else {
            return .failure(.badRequest("\"name\" is required and must be a non-empty string"))
        }
        guard name.utf8.count <= maxNameLength else {
            return .failure(.badRequest("Event name is longer than \(maxNameLength) characters"))
        }
        let data: String
        switch value["data"] {
        case .string(let s): data = s
        case nil: return .failure(.badRequest("\"data\" is required"))
        case let other?: data = other.serialized
        }
        guard data.utf8.count <= maxDataBytes else {
            return .failure(.eventTooLarge(bytes: data.utf8.count, limit: maxDataBytes, batchIndex: batchIndex))
        }
        var channels: [String] = []
        if let list = value["channels"], !batch {
            guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                return .failure(.badRequest("\"channels\" must be an array of strings"))
            }
            channels = items.compactMap(\.stringValue)
        } else if let single = value["channel"] {
            guard let s = single.stringValue else { return .failure(.badRequest("\"channel\" must be a string")) }
            channels = [s]
        }
        guard !channels.isEmpty else {
            return .failure(.badRequest(batch ? "\"channel\" is required" : "\"channels\" or \"channel\" is required"))
        }
        guard channels.count <= maxChannels else {
            return .failure(.badRequest("Event has \(channels.count) channels; the limit is \(maxChannels)"))
        }
        for channel in channels {
            if case .failure(let invalid) = ChannelName.classify(channel) {
                return .failure(.badRequest("Invalid channel \(JSONText.quoted(channel)): \(invalid)"))
            }
        }
        var socketID: String?
        if let s = value["socket_id"] {
            guard let id = s.stringValue, SocketID.isValid(id) else {
                return .failure(.badRequest("\"socket_id\" must look like 1234.5678"))
            }
            socketID = id
        }
        var info: [String] = []
        if let i = value["info"] {
            guard let text = i.stringValue else {
                return .failure(.badRequest("\"info\" must be a comma-separated string"))
            }
            info = text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            for attribute in info where !infoAttributes.contains(attribute) {
                return .failure(
                    .badRequest(
                        "Unknown info attribute \(JSONText.quoted(attribute)); use user_count, subscription_count"))
            }
        }
        return .success(TriggerEvent(name: name, data: data, channels: channels, socketID: socketID, info: info))
    }
}

extension Substring {
    public func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
