import Coupons
import Testing

/// The rules that decide a coupon's status and sync state, without a database.
@Suite struct CouponRulesTests {
    @Test func weChatsStatusTransitionsGoForwardOnly() {
        #expect(CouponStatus.notActive.next == [.active])
        #expect(CouponStatus.active.next == [.expired, .voided])
        #expect(CouponStatus.expired.next.isEmpty && CouponStatus.voided.next.isEmpty)
        #expect(!CouponStatus.active.canBecome(.notActive) && CouponStatus.active.canBecome(.voided))
        #expect(CouponStatus.allCases.filter(\.isEditable) == [.notActive])
    }

    @Test func aStatusAskedForHereStandsUntilItIsSent() {
        #expect(CouponStatus.active.following(weChat: .notActive, statusChangeUnsent: true) == .active)
        #expect(CouponStatus.active.following(weChat: .voided, statusChangeUnsent: false) == .voided)
    }

    @Test func aCouponWeChatDoesNotHaveIsPendingUnlessItWasRefused() {
        for refused in [false, true] {
            for toSend in [false, true] {
                #expect(SyncState.settled(from: .synced, weChatHasCoupon: false, refusedCouponChange: refused, changeToSend: toSend) == .pending)
                #expect(SyncState.settled(from: .pending, weChatHasCoupon: false, refusedCouponChange: refused, changeToSend: toSend) == .pending)
                #expect(SyncState.settled(from: .rejected, weChatHasCoupon: false, refusedCouponChange: refused, changeToSend: toSend) == .rejected)
            }
        }
    }

    @Test func aCouponWeChatHasIsRejectedByARefusedChangeThenPendingWhileAnythingIsLeftToSend() {
        for current in SyncState.allCases {
            #expect(SyncState.settled(from: current, weChatHasCoupon: true, refusedCouponChange: true, changeToSend: true) == .rejected)
            #expect(SyncState.settled(from: current, weChatHasCoupon: true, refusedCouponChange: false, changeToSend: true) == .pending)
            #expect(SyncState.settled(from: current, weChatHasCoupon: true, refusedCouponChange: false, changeToSend: false) == .synced)
        }
    }
}
