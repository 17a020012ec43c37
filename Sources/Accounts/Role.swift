/// What a staff account or an API key may do. Each role may do everything the roles before it may.
public enum Role: String, CaseIterable, Sendable, Comparable {
    /// Reads coupons.
    case viewer
    /// Also creates and changes coupons and retries their syncs.
    case editor
    /// Also manages staff accounts and API keys.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// True when this role may do what `needed` may.
    public func allows(_ needed: Role) -> Bool { self >= needed }
}
