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

extension Role {
    /// Whether a change to a live account of this role leaves no live admin: it is one of `liveAdmins`
    /// and stops being an admin (demoted to `newRole`, or disabled). Nobody could manage accounts then.
    public func leavesNoAdmin(becoming newRole: Role?, liveAdmins: Int) -> Bool {
        self == .admin && newRole != .admin && liveAdmins <= 1
    }
}
