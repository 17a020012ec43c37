extension JSONValue {
    /// The paths (`coupon_info.name`) where `other` differs from this value, in this value's member
    /// order, then members only `other` has. Arrays and other values are compared whole.
    public func differingPaths(from other: JSONValue, at path: String = "") -> [String] {
        guard case .object(let mine) = self, case .object(let theirs) = other else {
            return self == other ? [] : [path]
        }
        func join(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
        var paths: [String] = []
        for member in mine {
            if let counterpart = other.member(member.name) {
                paths += member.value.differingPaths(from: counterpart, at: join(member.name))
            } else {
                paths.append(join(member.name))
            }
        }
        for member in theirs where self.member(member.name) == nil {
            paths.append(join(member.name))
        }
        return paths
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
