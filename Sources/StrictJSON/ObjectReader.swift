/// Reads one JSON object member by member, noting in a collector every member that is missing,
/// unknown, repeated or of the wrong kind, each under its field path. `null` is a wrong kind like
/// any other: an optional member is left out, not set to null.
public struct ObjectReader {
    public let path: FieldPath
    private let collector: FieldErrorCollector
    private let members: [String: JSONValue]
    private let order: [String]
    private var known: Set<String> = []

    /// Nil, with the error noted, when `value` is not an object.
    public init?(_ value: JSONValue, at path: FieldPath, collector: FieldErrorCollector) {
        guard case .object(let list) = value else {
            collector.add(path, "must be an object, not \(value.kindDescription)")
            return nil
        }
        self.path = path
        self.collector = collector
        var members: [String: JSONValue] = [:]
        var order: [String] = []
        for member in list {
            if members.updateValue(member.value, forKey: member.name) == nil {
                order.append(member.name)
            } else {
                collector.add(path.member(member.name), "appears more than once")
            }
        }
        self.members = members
        self.order = order
    }

    /// The member's value, or nil when it is absent: noted when `required`, with the reason if given
    /// ("is required for type 3").
    public mutating func value(_ name: String, required: Bool, because reason: String? = nil) -> JSONValue? {
        known.insert(name)
        guard let value = members[name] else {
            if required { collector.add(path.member(name), "is required" + (reason.map { " for \($0)" } ?? "")) }
            return nil
        }
        return value
    }

    public mutating func object(_ name: String, required: Bool, because reason: String? = nil) -> ObjectReader? {
        value(name, required: required, because: reason).flatMap { ObjectReader($0, at: path.member(name), collector: collector) }
    }

    public mutating func string(_ name: String, required: Bool, because reason: String? = nil) -> String? {
        value(name, required: required, because: reason).flatMap { StrictJSON.string($0, at: path.member(name), collector: collector) }
    }

    public mutating func integer(_ name: String, required: Bool, because reason: String? = nil) -> Int? {
        value(name, required: required, because: reason).flatMap { StrictJSON.integer($0, at: path.member(name), collector: collector) }
    }

    /// The elements with their paths; nil (noted) when the member is not an array.
    public mutating func array(_ name: String, required: Bool, because reason: String? = nil) -> [(JSONValue, FieldPath)]? {
        guard let value = value(name, required: required, because: reason) else { return nil }
        let path = path.member(name)
        guard case .array(let elements) = value else {
            collector.add(path, "must be an array, not \(value.kindDescription)")
            return nil
        }
        return elements.enumerated().map { ($1, path.element($0)) }
    }

    /// Notes every member that none of the reads above asked for.
    public func rejectUnknownMembers() {
        for name in order where !known.contains(name) {
            collector.add(path.member(name), "is not a field of this object")
        }
    }
}

/// The string, or nil with the error noted.
public func string(_ value: JSONValue, at path: FieldPath, collector: FieldErrorCollector) -> String? {
    switch value {
    case .string(let text): return text
    case .invalidString: collector.add(path, "is not valid UTF-8 text")
    default: collector.add(path, "must be a string, not \(value.kindDescription)")
    }
    return nil
}

/// The largest number any field takes: WeChat's fields are signed 32-bit.
public let maximumInteger = Int(Int32.max)

/// A whole number from 0 to `maximumInteger`, or nil with the error noted.
public func integer(_ value: JSONValue, at path: FieldPath, collector: FieldErrorCollector) -> Int? {
    guard case .number(let text) = value else {
        collector.add(path, "must be a number, not \(value.kindDescription)")
        return nil
    }
    if text.hasPrefix("-") {
        collector.add(path, "must not be negative")
        return nil
    }
    guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
        collector.add(path, "must be a whole number, written without a fraction or exponent")
        return nil
    }
    guard text.utf8.count <= 10, let number = Int(text), number <= maximumInteger else {
        collector.add(path, "must be at most \(maximumInteger)")
        return nil
    }
    return number
}
