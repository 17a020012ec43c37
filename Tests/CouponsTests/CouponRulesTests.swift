import Coupons
import StrictJSON
import TestSupport
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

@Suite struct ClaimRulesTests {
    let coupon: Coupon

    init() throws {
        coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "c1").utf8)))
    }

    var window: ClosedRange<Int> { coupon.couponInfo.receiveInfo.startTime...coupon.couponInfo.receiveInfo.endTime }

    @Test func anActiveCouponInItsWindowWithClaimsLeftMayBeClaimed() {
        #expect(coupon.claimRefusal(status: .active, receiveTime: window.lowerBound, claimsByUser: 0, claimsInAll: 0) == nil)
        #expect(coupon.claimRefusal(status: .active, receiveTime: window.upperBound, claimsByUser: 0, claimsInAll: 0) == nil)
    }

    @Test func eachLimitRefusesAClaim() {
        let receive = coupon.couponInfo.receiveInfo
        let inside = window.lowerBound
        #expect(coupon.claimRefusal(status: .notActive, receiveTime: inside, claimsByUser: 0, claimsInAll: 0) == .couponNotActive(.notActive))
        #expect(coupon.claimRefusal(status: .voided, receiveTime: inside, claimsByUser: 0, claimsInAll: 0) == .couponNotActive(.voided))
        for outside in [window.lowerBound - 1, window.upperBound + 1] {
            #expect(coupon.claimRefusal(status: .active, receiveTime: outside, claimsByUser: 0, claimsInAll: 0)
                == .outsideClaimWindow(start: receive.startTime, end: receive.endTime))
        }
        #expect(coupon.claimRefusal(status: .active, receiveTime: inside, claimsByUser: receive.limitNumOnePerson, claimsInAll: 0)
            == .limitPerPersonReached(receive.limitNumOnePerson))
        #expect(coupon.claimRefusal(status: .active, receiveTime: inside, claimsByUser: receive.limitNumOnePerson - 1, claimsInAll: receive.totalNum)
            == .noneLeft(total: receive.totalNum))
    }
}

@Suite struct ChangeRulesTests {
    @Test func anEditOnlyBeforeActivationAndItPutsRightARefusal() {
        #expect(CouponChangeRequest.edit(sameBody: false).decision(status: .notActive, syncState: .rejected, syncError: "x") == .queue)
        #expect(CouponChangeRequest.edit(sameBody: true).decision(status: .notActive, syncState: .synced, syncError: nil) == .unchanged)
        #expect(CouponChangeRequest.edit(sameBody: false).decision(status: .active, syncState: .synced, syncError: nil) == .refuse(.notEditable(.active)))
    }

    @Test func aStatusChangeFollowsWeChatsTransitionsUnlessARefusalStands() {
        #expect(CouponChangeRequest.status(.active).decision(status: .notActive, syncState: .synced, syncError: nil) == .queue)
        #expect(CouponChangeRequest.status(.active).decision(status: .active, syncState: .rejected, syncError: nil) == .unchanged)
        #expect(CouponChangeRequest.status(.notActive).decision(status: .active, syncState: .synced, syncError: nil)
            == .refuse(.transitionNotAllowed(from: .active, to: .notActive)))
        #expect(CouponChangeRequest.status(.voided).decision(status: .active, syncState: .rejected, syncError: "9401020 bad")
            == .refuse(.syncRejected(reason: "9401020 bad")))
    }

    @Test func stockOnlyForAnActiveCouponUnlessARefusalStands() {
        #expect(CouponChangeRequest.stock.decision(status: .active, syncState: .pending, syncError: nil) == .queue)
        #expect(CouponChangeRequest.stock.decision(status: .expired, syncState: .synced, syncError: nil) == .refuse(.notActive(.expired)))
        #expect(CouponChangeRequest.stock.decision(status: .active, syncState: .rejected, syncError: nil) == .refuse(.syncRejected(reason: "")))
    }

    @Test func theQueueGoesOnAfterASentChangeOrAUserCouponsRefusalWhileSomethingIsLeft() {
        #expect(ChangeState.queueGoesOn(after: .sent, forUserCoupon: false, coupon: .pending))
        #expect(!ChangeState.queueGoesOn(after: .sent, forUserCoupon: false, coupon: .synced))
        #expect(ChangeState.queueGoesOn(after: .rejected, forUserCoupon: true, coupon: .pending))
        #expect(!ChangeState.queueGoesOn(after: .rejected, forUserCoupon: false, coupon: .pending))
        #expect(!ChangeState.queueGoesOn(after: .pending, forUserCoupon: false, coupon: .pending))
    }
}
