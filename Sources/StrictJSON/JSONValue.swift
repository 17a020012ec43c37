/// A parsed JSON document, kept as written: numbers as their text, object members in order and with
/// any repeated names, so that a decoder can judge them with the field path in hand.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text, exactly as in the document (`12`, `-0.5`, `1e3`).
    case number(String)
    case string(String)
    /// A string whose bytes are not valid UTF-8, or whose escapes name a lone surrogate.
    case invalidString
    case array([JSONValue])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public var name: String
        public var value: JSONValue

        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// How the value's kind is named in error messages: "an object", "a string", ...
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string, .invalidString: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// The value of the object member `name` (the last one, where a name repeats); nil for a
    /// missing member or when this is not an object.
    public func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.name == name }?.value
    }

    /// A number written as a whole number that fits an `Int`; nil otherwise.
    public var integer: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text)
    }
}
