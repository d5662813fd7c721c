import BelfryJSON

/// JSON Merge Patch (RFC 7386), the body of a `PATCH` on a manifest object.
///
///     let patched = JSONMergePatch.apply(patch: try JSONParser.parse(#"{"spec":{"enabled":false}}"#), to: app)
public enum JSONMergePatch {
    /// `patch` applied to `target`: `null` members delete, objects merge recursively, anything
    /// else replaces. Existing members keep their place; new ones are appended in patch order.
    public static func apply(patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members: [(String, JSONValue)] = []
        if case .object(let existing) = target { members = existing }
        for (name, value) in changes {
            if value == .null {
                members.removeAll { $0.0 == name }
            } else if let index = members.firstIndex(where: { $0.0 == name }) {
                members[index].1 = apply(patch: value, to: members[index].1)
                // A duplicate key in the target would otherwise shadow nothing and linger.
                var seen = false
                members.removeAll { member in
                    guard member.0 == name else { return false }
                    defer { seen = true }
                    return seen
                }
            } else {
                members.append((name, apply(patch: value, to: .null)))
            }
        }
        return .object(members)
    }
}
