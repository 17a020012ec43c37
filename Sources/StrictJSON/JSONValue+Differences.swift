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
