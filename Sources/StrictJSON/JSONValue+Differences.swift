extension JSONValue {
    /// Where two values differ: the path (`coupon_info.name`), and what is there in each; nil where a
    /// member is in one only.
    public struct Difference: Sendable, Equatable {
        public var path: String
        public var mine: JSONValue?
        public var theirs: JSONValue?

        public init(path: String, mine: JSONValue?, theirs: JSONValue?) {
            self.path = path
            self.mine = mine
            self.theirs = theirs
        }
    }

    /// Where `other` differs from this value, in this value's member order, then members only `other`
    /// has. Arrays and other values are compared whole.
    public func differences(from other: JSONValue, at path: String = "") -> [Difference] {
        guard case .object(let mine) = self, case .object(let theirs) = other else {
            return self == other ? [] : [Difference(path: path, mine: self, theirs: other)]
        }
        func join(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
        var differences: [Difference] = []
        for member in mine {
            if let counterpart = other.member(member.name) {
                differences += member.value.differences(from: counterpart, at: join(member.name))
            } else {
                differences.append(Difference(path: join(member.name), mine: member.value, theirs: nil))
            }
        }
        for member in theirs where self.member(member.name) == nil {
            differences.append(Difference(path: join(member.name), mine: nil, theirs: member.value))
        }
        return differences
    }

    /// The paths of `differences(from:)`.
    public func differingPaths(from other: JSONValue) -> [String] {
        differences(from: other).map(\.path)
    }
}

extension JSONValue {
    /// The same value with every object's members in the order of their names: two documents that
    /// differ only in member order or in how their strings are escaped become equal.
    public var sortingKeys: JSONValue {
        switch self {
        case .array(let elements): .array(elements.map(\.sortingKeys))
        case .object(let members):
            .object(members.map { Member($0.name, $0.value.sortingKeys) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
        default: self
        }
    }
}
