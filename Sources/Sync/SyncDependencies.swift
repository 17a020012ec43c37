import Coupons
import Storage
import WeChat

/// The WeChat coupon calls Sync makes: a coupon's sync, imports, and the user coupons WeChat lists.
/// `WeChatClient` makes them over HTTP; tests answer them in memory.
public protocol WeChatCouponCalls: Sendable {
    /// Set while an earlier answer paused every call (refused credentials, a spent daily quota).
    var pause: CallPause? { get }
    func addCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError)
    func couponState(outCouponID: String) async throws(WeChatCallError) -> WeChatClient.CouponState
    func updateCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError)
    func updateCouponStatus(outCouponID: String, status: CouponStatus) async throws(WeChatCallError)
    func updateCouponStock(outCouponID: String, issuedNum: Int, receiveNum: Int) async throws(WeChatCallError)
    func addUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, status: UserCouponStatus, receiveTime: Int) async throws(WeChatCallError)
    func updateUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, useTime: Int, receiveTime: Int) async throws(WeChatCallError)
    func updateUserCouponStatus(openID: String, outCouponID: String, outUserCouponID: String, status: UserCouponStatus) async throws(WeChatCallError)
    func couponList(pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [WeChatClient.CouponListEntry])
    func userCouponList(openID: String, pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [WeChatClient.UserCouponEntry])
}

extension WeChatClient: WeChatCouponCalls {}
