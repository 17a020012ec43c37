import Coupons
import Foundation
import Storage
import StrictJSON
import Sync
import TestSupport
import Testing
import WeChat

/// Edits, status changes, stock and user coupons: stored, queued, and sent in order to the sandbox
/// over real HTTP; refused here when WeChat's rules forbid them, and by the sandbox when it does.
@Suite struct CouponChangesTests {
    let sandbox: SandboxProcess
    let database: AppDatabase
    let client: WeChatClient
    let sync: CouponSync

    init() throws {
        (sandbox, database, client, sync) = try syncingToSandbox()
    }

    static func coupon(_ id: String, name: String = "立减", fee: Int = 500) throws -> Coupon {
        try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: id, name: name, fee: fee).utf8)))
    }

    /// A coupon stored and sent, so that WeChat has it in status 1.
    func synced(_ id: String) async throws {
        _ = try database.coupons.createCoupon(try Self.coupon(id), createdBy: "ann", now: 1)
        guard case .synced = try await sync.sync(outCouponID: id) else { throw Failure("\(id) not synced") }
    }

    func wechatName(_ id: String) async throws -> String? {
        try await client.couponState(outCouponID: id).coupon?.couponInfo.name
    }

    func calls(_ endpoint: String) throws -> Int {
        let stats: [String: Any] = try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()
        return (stats["calls"] as? [String: Int])?[endpoint] ?? 0
    }

    func expectQueued(_ outcome: ChangeOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .queued = outcome else {
            Issue.record("not queued: \(outcome)", sourceLocation: sourceLocation)
            return
        }
    }

    @Test func anEditOfACouponWeChatHasIsSentWithUpdate() async throws {
        try await run {
            try await synced("c1")
            expectQueued(try database.coupons.editCoupon(try Self.coupon("c1", name: "改过"), by: "ann", now: 2))
            #expect(try database.coupons.coupon(outCouponID: "c1")?.syncState == SyncState.pending)
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.name == "改过" && record.wechatStatus == 1)
            #expect(try await wechatName("c1") == "改过")
            #expect(try calls("/shop/coupon/update") == 1)
            #expect(try calls("/shop/coupon/add") == 1)
            #expect(try database.coupons.changes(outCouponID: "c1").map(\.state) == [.sent])
            // The same body again changes nothing and queues nothing.
            guard case .unchanged = try database.coupons.editCoupon(try Self.coupon("c1", name: "改过"), by: "ann", now: 3) else { Issue.record("changed"); return }
        }
    }

    @Test func anEditOfACouponWeChatDoesNotHaveIsSentWithAdd() async throws {
        try await run {
            _ = try database.coupons.createCoupon(try Self.coupon("c1"), now: 1)
            _ = try await client.tokens.token()
            _ = try sandbox.post("/sandbox/faults", #"{"errcode":1090011,"errcode_count":1}"#)
            guard case .rejected = try await sync.sync(outCouponID: "c1") else { Issue.record("not rejected"); return }
            expectQueued(try database.coupons.editCoupon(try Self.coupon("c1", name: "修好了"), by: "ann", now: 2))
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(try await wechatName("c1") == "修好了")
            #expect(try calls("/shop/coupon/update") == 0)
            #expect(try calls("/shop/coupon/add") == 2)
            #expect(try database.coupons.changes(outCouponID: "c1").isEmpty)
        }
    }

    @Test func onlyWeChatsTransitionsAreQueued() async throws {
        try await run {
            try await synced("c1")
            #expect(try database.coupons.requestStatus(.voided, outCouponID: "c1", by: "ann", now: 2) == .refused(.transitionNotAllowed(from: .notActive, to: .voided)))
            #expect(try database.coupons.requestStock(issuedNum: 10, receiveNum: 0, outCouponID: "c1", by: "ann", now: 2) == .refused(.notActive(.notActive)))
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 3))
            // Once activation is asked for, the coupon counts as active here: no edits, stock allowed.
            #expect(try database.coupons.editCoupon(try Self.coupon("c1", name: "x"), by: "ann", now: 4) == .refused(.notEditable(.active)))
            expectQueued(try database.coupons.requestStock(issuedNum: 50, receiveNum: 3, outCouponID: "c1", by: "ann", now: 4))
            expectQueued(try database.coupons.requestStatus(.voided, outCouponID: "c1", by: "ann", now: 5))
            #expect(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 6) == .refused(.transitionNotAllowed(from: .voided, to: .active)))
            #expect(try database.coupons.requestStatus(.expired, outCouponID: "c1", by: "ann", now: 6) == .refused(.transitionNotAllowed(from: .voided, to: .expired)))
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.wechatStatus == 4 && record.status == 4)
            #expect(try await client.couponState(outCouponID: "c1").status == 4)
            let sent = try database.coupons.changes(outCouponID: "c1")
            #expect(sent.map(\.kind) == [.updateStatus, .updateCouponStock, .updateStatus] && sent.allSatisfy { $0.state == .sent })
            let list = try await client.couponList(pageSize: 10, offset: 0)
            #expect(list.entries.first?.issuedNum == 50 && list.entries.first?.receiveNum == 3)
            let actions = try database.audit.history(ofCoupon: "c1").map(\.action)
            #expect(actions.filter { $0 == "coupon.set_status" }.count == 2 && actions.contains("coupon.set_stock"))
        }
    }

    @Test func stockForACouponWeChatNoLongerHasActiveIsRefusedByWeChat() async throws {
        try await run {
            try await synced("c1")
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 2))
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not activated"); return }
            // Expired on WeChat's side, unknown here.
            try await client.updateCouponStatus(outCouponID: "c1", status: .expired)
            expectQueued(try database.coupons.requestStock(issuedNum: 20, receiveNum: 0, outCouponID: "c1", by: "ann", now: 3))
            guard case .rejected(let record, let refusal) = try await sync.sync(outCouponID: "c1") else { Issue.record("not rejected"); return }
            #expect(refusal.code == 1_090_005)
            #expect(record.syncState == .rejected && record.syncError?.hasPrefix("1090005") == true)
            #expect(try database.coupons.changes(outCouponID: "c1").last?.state == ChangeState.rejected)
            // Rejected, the coupon takes no more changes until a retry is asked for.
            #expect(try database.coupons.requestStatus(.voided, outCouponID: "c1", by: "ann", now: 4) == .refused(.syncRejected(reason: record.syncError ?? "")))
            #expect(try database.coupons.requeueSync(outCouponID: "c1", actor: "ann", now: 5))
            #expect(try database.coupons.changes(outCouponID: "c1").last?.state == ChangeState.pending)
        }
    }

    @Test func changesQueuedWhileWeChatIsDownAreSentInOrderWhenItIsBack() async throws {
        try await run {
            try await synced("c1")
            _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
            expectQueued(try database.coupons.editCoupon(try Self.coupon("c1", name: "第一次"), by: "ann", now: 2))
            guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
            expectQueued(try database.coupons.editCoupon(try Self.coupon("c1", name: "第二次", fee: 800), by: "ann", now: 3))
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 4))
            expectQueued(try database.coupons.requestStock(issuedNum: 70, receiveNum: 0, outCouponID: "c1", by: "ann", now: 5))
            guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
            _ = try sandbox.post("/sandbox/faults", "{}")
            // `update` only works in status 1: sent after the activation, it would be refused.
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.wechatStatus == 2)
            let wechat = try await client.couponState(outCouponID: "c1")
            #expect(wechat.status == 2 && wechat.coupon?.couponInfo.name == "第二次")
            #expect(try database.coupons.changes(outCouponID: "c1").map(\.kind) == [.update, .updateStatus, .updateCouponStock])
            #expect(try calls("/shop/coupon/update") == 3)  // two while down, one sent
        }
    }

    @Test func aStatusChangeCarriedOutWithoutAnAnswerIsNotSentTwice() async throws {
        try await run {
            try await synced("c1")
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 2))
            _ = try sandbox.post("/sandbox/faults", #"{"drop":true}"#)
            guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
            _ = try sandbox.post("/sandbox/faults", "{}")
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.wechatStatus == 2)
            #expect(try calls("/shop/coupon/update_status") == 1)
        }
    }

    @Test func userCouponsAreClaimedWithinTheCouponsLimits() async throws {
        try await run {
            var limited = try Self.coupon("c1")
            limited.couponInfo.receiveInfo.limitNumOnePerson = 2
            limited.couponInfo.receiveInfo.totalNum = 3
            _ = try database.coupons.createCoupon(limited, now: 1)
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            let inWindow = limited.couponInfo.receiveInfo.startTime + 10
            func claim(_ id: String, _ openID: String, at time: Int = inWindow) throws -> UserCouponOutcome {
                try database.coupons.claimUserCoupon(outUserCouponID: id, openID: openID, outCouponID: "c1", receiveTime: time, by: "tool", now: 5)
            }
            #expect(try claim("u1", "o1") == .refused(.claim(.couponNotActive(.notActive))))
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 2))
            #expect(try claim("u1", "o1", at: limited.couponInfo.receiveInfo.endTime + 1)
                == .refused(.claim(.outsideClaimWindow(start: limited.couponInfo.receiveInfo.startTime, end: limited.couponInfo.receiveInfo.endTime))))
            guard case .queued = try claim("u1", "o1"), case .queued = try claim("u2", "o1") else { Issue.record("not claimed"); return }
            #expect(try claim("u3", "o1") == .refused(.claim(.limitPerPersonReached(2))))
            guard case .unchanged = try claim("u1", "o1") else { Issue.record("a repeated claim is not the same claim"); return }
            guard case .refused(.idTaken) = try claim("u1", "o2") else { Issue.record("an id taken twice"); return }
            guard case .queued = try claim("u3", "o2") else { Issue.record("not claimed"); return }
            #expect(try claim("u4", "o3") == .refused(.claim(.noneLeft(total: 3))))
            guard case .queued = try database.coupons.setUserCouponUseTime(inWindow + 60, outUserCouponID: "u1", by: "tool", now: 6),
                  case .queued = try database.coupons.setUserCouponStatus(.used, outUserCouponID: "u1", by: "tool", now: 6)
            else { Issue.record("not changed"); return }
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(try database.coupons.userCoupon(outUserCouponID: "u1")?.syncState == SyncState.synced)
            let o1 = try await client.userCouponList(openID: "o1", pageSize: 10, offset: 0)
            #expect(o1.totalNum == 2)
            let used = o1.entries.first { $0.outUserCouponID == "u1" }
            #expect(used?.status == 102 && used?.useTime == inWindow + 60)
            #expect(try database.coupons.userCoupons(openID: "o1", limit: 10, offset: 0).records.map(\.outUserCouponID) == ["u1", "u2"])
        }
    }

    @Test func aRefusedUserCouponHoldsUpNeitherTheCouponNorOthers() async throws {
        try await run {
            try await synced("c1")
            expectQueued(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: 2))
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not activated"); return }
            let time = try Self.coupon("c1").couponInfo.receiveInfo.startTime
            _ = try database.coupons.claimUserCoupon(outUserCouponID: "u1", openID: "o1", outCouponID: "c1", receiveTime: time, by: "tool", now: 3)
            _ = try database.coupons.claimUserCoupon(outUserCouponID: "u2", openID: "o2", outCouponID: "c1", receiveTime: time, by: "tool", now: 3)
            _ = try sandbox.post("/sandbox/faults", #"{"errcode":990007,"errcode_count":1}"#)
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(try database.coupons.userCoupon(outUserCouponID: "u1")?.syncState == SyncState.rejected)
            #expect(try database.coupons.userCoupon(outUserCouponID: "u2")?.syncState == SyncState.synced)
            #expect(try database.coupons.setUserCouponStatus(.used, outUserCouponID: "u1", by: "tool", now: 4) == .refused(.claimRejected(reason: "990007 sandbox errcode 990007")))
        }
    }

    func run(_ body: () async throws -> Void) async throws {
        try await shuttingDown(client, after: body)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
