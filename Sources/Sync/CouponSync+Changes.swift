import Coupons
import Storage
import WeChat

/// The calls a coupon's queued changes (`CouponChange`) stand for.
extension CouponSync {
    func send(_ change: CouponChange, of id: String, body: String) async throws(WeChatCallError) {
        switch change.kind {
        case .update:
            try await wechat.updateCoupon(canonicalJSON: Array(body.utf8))
        case .updateStatus:
            guard let status = change.status.flatMap(CouponStatus.init(rawValue:)) else { throw .unreachable("a status change without a status") }
            try await wechat.updateCouponStatus(outCouponID: id, status: status)
        case .updateCouponStock:
            try await wechat.updateCouponStock(outCouponID: id, issuedNum: change.issuedNum ?? 0, receiveNum: change.receiveNum ?? 0)
        case .addUserCoupon, .updateUserCoupon, .updateUserCouponStatus:
            guard let user = change.userCoupon else { throw .unreachable("a user-coupon change without its user coupon") }
            let status = change.status.flatMap(UserCouponStatus.init(rawValue:)) ?? .active
            switch change.kind {
            case .addUserCoupon:
                try await wechat.addUserCoupon(
                    openID: user.openID, outUserCouponID: user.outUserCouponID, outCouponID: id, status: status, receiveTime: user.receiveTime
                )
            case .updateUserCoupon:
                try await wechat.updateUserCoupon(
                    openID: user.openID, outUserCouponID: user.outUserCouponID, outCouponID: id, useTime: change.useTime ?? 0,
                    receiveTime: user.receiveTime
                )
            default:
                try await wechat.updateUserCouponStatus(openID: user.openID, outCouponID: id, outUserCouponID: user.outUserCouponID, status: status)
            }
        }
    }

    static func endpoint(of kind: CouponChange.Kind) -> CouponEndpoint {
        CouponEndpoint(rawValue: kind.rawValue) ?? .update
    }
}
