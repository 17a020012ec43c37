/// Why a user may not claim a coupon: the checks WeChat leaves to the merchant.
public enum ClaimRefusal: Sendable, Equatable {
    /// Users claim only active coupons (status 2).
    case couponNotActive(CouponStatus)
    /// The claim time is outside the coupon's claim window.
    case outsideClaimWindow(start: Int, end: Int)
    /// The user has as many of this coupon as `limit_num_one_person` allows.
    case limitPerPersonReached(Int)
    /// As many were claimed as `total_num`.
    case noneLeft(total: Int)
}

extension Coupon {
    /// Why a claim at `receiveTime` is refused, or nil when it may be made: the coupon is active, the time
    /// is in its claim window, and neither the user's claims nor all claims have reached their limits.
    public func claimRefusal(status: CouponStatus, receiveTime: Int, claimsByUser: Int, claimsInAll: Int) -> ClaimRefusal? {
        guard status == .active else { return .couponNotActive(status) }
        let receive = couponInfo.receiveInfo
        guard (receive.startTime...receive.endTime).contains(receiveTime) else {
            return .outsideClaimWindow(start: receive.startTime, end: receive.endTime)
        }
        guard claimsByUser < receive.limitNumOnePerson else { return .limitPerPersonReached(receive.limitNumOnePerson) }
        guard claimsInAll < receive.totalNum else { return .noneLeft(total: receive.totalNum) }
        return nil
    }
}
