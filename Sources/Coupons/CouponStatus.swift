/// A coupon's state at WeChat. New coupons start at `notActive`; 1 -> 2; 2 -> 3 or 4; never back to 1.
public enum CouponStatus: Int, Sendable, CaseIterable, Encodable {
    /// 未生效: still editable with `update`.
    case notActive = 1
    /// 生效.
    case active = 2
    /// 已过期.
    case expired = 3
    /// 已作废.
    case voided = 4
}

extension CouponStatus {
    /// WeChat's transitions: 1 -> 2, then 2 -> 3 or 4; never back, and nothing after 3 or 4.
    public var next: [CouponStatus] {
        switch self {
        case .notActive: [.active]
        case .active: [.expired, .voided]
        case .expired, .voided: []
        }
    }

    public func canBecome(_ status: CouponStatus) -> Bool { next.contains(status) }

    /// `update` is allowed only before the coupon is activated.
    public var isEditable: Bool { self == .notActive }

    /// The status a coupon has here once WeChat's is learnt: WeChat's, unless a status change asked for
    /// here is still to be sent (then the one asked for stands).
    public func following(weChat: CouponStatus, statusChangeUnsent: Bool) -> CouponStatus {
        statusChangeUnsent ? self : weChat
    }
}

/// A user coupon's status at WeChat: 100 active, 101 expired, 102 used.
public enum UserCouponStatus: Int, Sendable, CaseIterable {
    case active = 100, expired = 101, used = 102
}
