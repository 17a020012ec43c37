/// A change asked of a stored coupon, before it is queued for WeChat.
public enum CouponChangeRequest: Sendable, Equatable {
    /// A new body, sent with `update`.
    case edit(sameBody: Bool)
    case status(CouponStatus)
    case stock
}

/// Why a change was not stored.
public enum ChangeRefusal: Error, Sendable, Equatable {
    case noSuchCoupon
    /// `update` only while the coupon's status is 1.
    case notEditable(CouponStatus)
    case transitionNotAllowed(from: CouponStatus, to: CouponStatus)
    /// Stock and user coupons need an active coupon (status 2).
    case notActive(CouponStatus)
    /// WeChat refused the coupon or its last change; it must be edited or retried first.
    case syncRejected(reason: String)
    /// The change was made against another version than the stored one (`ExpectedVersion`).
    case staleVersion(current: Int)
}

/// What to do with a change asked of a stored coupon.
public enum ChangeDecision: Sendable, Equatable {
    /// Store it and queue it for WeChat.
    case queue
    /// Nothing to change: the coupon already is so.
    case unchanged
    case refuse(ChangeRefusal)
}

extension CouponChangeRequest {
    /// WeChat's rules for a coupon whose status here is `status` (counting the changes still queued) and
    /// whose sync stands at `syncState`: an edit only before activation (and it is how a coupon WeChat
    /// refused is put right); a status change only along WeChat's transitions, stock only for an active
    /// coupon, neither while WeChat's refusal stands.
    public func decision(status: CouponStatus, syncState: SyncState, syncError: String?) -> ChangeDecision {
        switch self {
        case .edit(let sameBody):
            guard status.isEditable else { return .refuse(.notEditable(status)) }
            return sameBody ? .unchanged : .queue
        case .status(let target):
            if status == target { return .unchanged }
            guard status.canBecome(target) else { return .refuse(.transitionNotAllowed(from: status, to: target)) }
        case .stock:
            guard status == .active else { return .refuse(.notActive(status)) }
        }
        return syncState == .rejected ? .refuse(.syncRejected(reason: syncError ?? "")) : .queue
    }
}

extension ChangeState {
    /// Whether an attempt goes on to the next queued change after one that ended `ended` (`pending`: it
    /// failed and waits for a retry), the coupon now standing at `coupon`: after one WeChat took, or
    /// refused for a user coupon (which rejects only that user coupon), while anything is left to send.
    public static func queueGoesOn(after ended: ChangeState, forUserCoupon: Bool, coupon: SyncState) -> Bool {
        guard coupon == .pending else { return false }
        return switch ended {
        case .sent: true
        case .rejected: forUserCoupon
        case .pending: false
        }
    }
}
