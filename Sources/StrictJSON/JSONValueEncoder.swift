/// Turns an `Encodable` value into a `JSONValue`, for `JSONWriter` to write: the one way this program
/// writes JSON, whether stored or answered. Integers, strings, booleans, arrays and objects; a `nil`
/// optional left out, as `encodeIfPresent` leaves it.
public enum JSONValueEncoder {
    public static func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root))
        return root.value
    }
}

/// A value being built: a leaf, or an object or array whose parts are built in turn.
private final class Node {
    enum Content {
        case empty
        case leaf(JSONValue)
        case object([(String, Node)])
        case array([Node])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: .null
        case .leaf(let value): value
        case .object(let members): .object(members.map { JSONValue.Member($0.0, $0.1.value) })
        case .array(let elements): .array(elements.map(\.value))
        }
    }

    func member(_ name: String) -> Node {
        let node = Node()
        if case .object(var members) = content {
            members.append((name, node))
            content = .object(members)
        } else {
            content = .object([(name, node)])
        }
        return node
    }

    func element() -> Node {
        let node = Node()
        if case .array(var elements) = content {
            elements.append(node)
            content = .array(elements)
        } else {
            content = .array([node])
        }
        return node
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = node.content { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = node.content { node.content = .array([]) }
        return UnkeyedContainer(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(node: node) }
}

private func leaf(_ value: some Encodable) throws -> JSONValue? {
    switch value {
    case let string as String: .string(string)
    case let bool as Bool: .bool(bool)
    case let integer as Int: .number(String(integer))
    case let integer as Int64: .number(String(integer))
    case let integer as Int32: .number(String(integer))
    default: nil
    }
}

private func encode(_ value: some Encodable, into node: Node) throws {
    if let leaf = try leaf(value) { node.content = .leaf(leaf) } else { try value.encode(to: NodeEncoder(node: node)) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .leaf(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try StrictJSON.encode(value, into: node.member(key.stringValue)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.member(key.stringValue)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.member(key.stringValue)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: node.member(key.stringValue)) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey] { [] }
    var count: Int { if case .array(let elements) = node.content { elements.count } else { 0 } }

    mutating func encodeNil() throws { node.element().content = .leaf(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try StrictJSON.encode(value, into: node.element()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.element()).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { NodeEncoder(node: node.element()).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.element()) }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { node.content = .leaf(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try StrictJSON.encode(value, into: node) }
}
