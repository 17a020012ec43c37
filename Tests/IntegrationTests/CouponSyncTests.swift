import Coupons
import Foundation
import Storage
import StrictJSON
import Sync
import TestSupport
import Testing
import WeChat

/// Stored coupons sent to the sandbox over real HTTP, and what is recorded of it.
@Suite struct CouponSyncTests {
    let sandbox: SandboxProcess
    let database: AppDatabase
    let client: WeChatClient
    let sync: CouponSync

    init() throws {
        (sandbox, database, client, sync) = try syncingToSandbox()
    }

    func store(_ id: String) throws {
        let body = Array(WeChatExample.directReduction(id: id).utf8)
        _ = try database.coupons.createCoupon(try Coupon.decode(requestBody: try JSONParser.parse(body)), now: 1)
    }

    func calls(_ endpoint: String) throws -> Int {
        (try stats()["calls"] as? [String: Int])?[endpoint] ?? 0
    }

    func stats() throws -> [String: Any] {
        try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()
    }

    @Test func aCouponWeChatTakesIsSyncedWithItsStatus() async throws {
        try await run {
            try store("c1")
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.syncState == .synced && record.wechatStatus == 1 && record.wechatCreateTime != nil)
            let attempts = try database.coupons.syncAttempts(outCouponID: "c1")
            #expect(attempts.count == 1 && attempts[0].errcode == 0 && attempts[0].endpoint == "/shop/coupon/add")
            // Synced coupons are not pending any more: a second call claims nothing.
            guard case .notClaimed = try await sync.sync(outCouponID: "c1") else { Issue.record("synced twice"); return }
        }
    }

    @Test func aRefusalIsRecordedAsRejectedWithWeChatsReason() async throws {
        try await run {
            try store("c1")
            _ = try await client.tokens.token()  // so that the fault meets the add, not the token fetch
            _ = try sandbox.post("/sandbox/faults", #"{"errcode":1090011,"errcode_count":1}"#)
            guard case .rejected(let record, let error) = try await sync.sync(outCouponID: "c1") else { Issue.record("not rejected"); return }
            #expect(error.code == 1_090_011)
            #expect(record.syncState == .rejected && record.syncError?.hasPrefix("1090011") == true)
        }
    }

    @Test func aDownWeChatLeavesCouponsPendingAndTheyAreSyncedOnceItIsBackWithoutDuplicates() async throws {
        try await run {
            for index in 1...5 { try store("c\(index)") }
            _ = try await client.tokens.token()
            _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
            let firstTry = Date().timeIntervalSince1970
            for index in 1...5 {
                guard case .pending(let record, let reason) = try await sync.sync(outCouponID: "c\(index)") else { Issue.record("not pending"); return }
                #expect(record.syncState == .pending && reason.contains("HTTP 503"))
            }
            // Each waits its backoff (2 s, less up to a quarter): none is due before it, all are after.
            let lastTry = Date().timeIntervalSince1970
            #expect(try database.coupons.couponsDueForSync(now: firstTry + 1.4, limit: 10).isEmpty)
            #expect(try database.coupons.couponsDueForSync(now: lastTry + 2.1, limit: 10).count == 5)
            _ = try sandbox.post("/sandbox/faults", "{}")
            for index in 1...5 {
                guard case .synced = try await sync.sync(outCouponID: "c\(index)") else { Issue.record("c\(index) not synced"); return }
            }
            let stats = try stats()
            #expect(stats["coupons"] as? Int == 5)
            #expect(stats["repeated_adds"] as? Int == 0)
            #expect(try database.coupons.syncAttempts(outCouponID: "c3").count == 2)
        }
    }

    @Test func aCouponAnotherProcessIsSyncingIsLeftToIt() async throws {
        try await run {
            try store("c1")
            // A lease far longer than the test: a full run on two cores has held a test between two awaits for over a minute.
            #expect(try await database.coupons.claimSync(outCouponID: "c1", holder: "other-process", now: Date().timeIntervalSince1970, lease: 3600) == 0)
            guard case .notClaimed = try await sync.sync(outCouponID: "c1") else { Issue.record("synced under another's claim"); return }
            #expect(try stats()["coupons"] as? Int == 0)
        }
    }

    @Test func aCouponWeChatGotWhileItsAnswerWasLostIsFoundNotAddedAgain() async throws {
        try await run {
            try store("c1")
            _ = try await client.tokens.token()
            _ = try sandbox.post("/sandbox/faults", #"{"drop":true}"#)
            guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
            _ = try sandbox.post("/sandbox/faults", "{}")
            guard case .synced(let record) = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            #expect(record.wechatStatus == 1)
            #expect(try stats()["repeated_adds"] as? Int == 0)
            #expect(try calls("/shop/coupon/add") == 1)
            let attempts = try database.coupons.syncAttempts(outCouponID: "c1")
            #expect(attempts.map(\.endpoint) == ["/shop/coupon/add", "/shop/coupon/get"])
            #expect(attempts.map(\.errcode) == [nil, 0])
        }
    }

    @Test func aRefreshStoresWeChatsStatusAndAFailedOneChangesNothing() async throws {
        try await run {
            try store("c1")
            guard case .synced = try await sync.sync(outCouponID: "c1") else { Issue.record("not synced"); return }
            _ = try await client.updateCouponStatus(outCouponID: "c1", status: .active)
            guard case .success(let refreshed)? = try await sync.refresh(outCouponID: "c1", by: "li.wei") else { Issue.record("no refresh"); return }
            #expect(refreshed.wechatStatus == 2 && refreshed.syncState == .synced)
            _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
            guard case .failure(.unreachable)? = try await sync.refresh(outCouponID: "c1", by: "li.wei") else { Issue.record("refresh did not fail"); return }
            var unchanged = refreshed
            unchanged.syncAttemptsTotal += 1  // the failed call is counted, and nothing else moves
            #expect(try database.coupons.coupon(outCouponID: "c1") == unchanged)
            #expect(try database.coupons.syncAttempts(outCouponID: "c1").map(\.endpoint) == ["/shop/coupon/add", "/shop/coupon/get", "/shop/coupon/get"])
            #expect(try await sync.refresh(outCouponID: "nope", by: "li.wei") == nil)
        }
    }

    @Test func aPassSyncsEveryDueCouponAndLeavesTheOthers() async throws {
        try await run {
            for index in 1...20 { try store("c\(index)") }
            let loop = SyncLoop(sync: sync, concurrency: 4)
            let summary = try await loop.pass()
            #expect(summary.synced == 20 && summary.pending == 0 && summary.pausedBy == nil)
            #expect(try stats()["coupons"] as? Int == 20)
            #expect(try await loop.pass().tried == 0)
        }
    }

    func run(_ body: () async throws -> Void) async throws {
        try await shuttingDown(client, after: body)
    }
}

/// Refused credentials: every coupon stays pending, and calls stop instead of repeating the refusal.
@Suite struct RefusedCredentialsTests {
    @Test func refusedCredentialsPauseTheCallsAndThePass() async throws {
        let sandbox = try SandboxProcess()
        let database = try AppDatabase(path: sandbox.directory.path("coupons.sqlite"))
        let client = WeChatClient(
            configuration: WeChatConfiguration(baseURL: "http://127.0.0.1:\(sandbox.port)", appID: "wxsandbox", secret: "not-the-secret"),
            now: { Date().timeIntervalSince1970 }
        )
        let sync = CouponSync(database: database, client: client, holder: "test", now: { Date().timeIntervalSince1970 })
        defer { client.shutdownAndWait() }
        for index in 1...10 {
            _ = try database.coupons.createCoupon(try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "c\(index)").utf8))), now: 1)
        }
        guard case .pending(let record, let reason) = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
        #expect(reason.contains("40125") && record.syncState == .pending)
        let pause = try #require(client.pause)
        #expect(pause.cause.code == 40125 && pause.until > Date().timeIntervalSince1970 + 500)
        let summary = try await SyncLoop(sync: sync).pass(ignoringBackoff: true)
        #expect(summary.pausedBy == pause && summary.tried == 0)
        guard case .pending(let second, _) = try await sync.sync(outCouponID: "c2") else { Issue.record("not pending"); return }
        #expect(second.syncError?.contains("paused until") == true)
        let calls = (try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()["calls"] as? [String: Int]) ?? [:]
        #expect(calls == ["/cgi-bin/stable_token": 1])
    }
}
