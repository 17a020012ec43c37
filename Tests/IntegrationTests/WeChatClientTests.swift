import Coupons
import Foundation
import StrictJSON
import TestSupport
import Testing
import WeChat

/// The WeChat client against the sandbox over real HTTP.
@Suite struct WeChatClientTests {
    let sandbox: SandboxProcess
    let client: WeChatClient

    init() throws {
        sandbox = try SandboxProcess()
        client = sandbox.makeClient()
    }

    func calls(_ endpoint: String) throws -> Int {
        (try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()["calls"] as? [String: Int])?[endpoint] ?? 0
    }

    func faults(_ json: String) throws {
        _ = try sandbox.post("/sandbox/faults", json)
    }

    @Test func concurrentCallsShareOneTokenFetch() async throws {
        try await run {
            let client = self.client
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 { group.addTask { _ = try await client.call(.confirm, body: Array("{}".utf8)) } }
                try await group.waitForAll()
            }
            #expect(try calls("/cgi-bin/stable_token") == 1)
            #expect(try calls("/shop/coupon/confirm") == 100)
        }
    }

    @Test func aRefusedTokenIsFetchedAgainAndTheCallRetriedOnce() async throws {
        try await run {
            _ = try await client.call(.confirm, body: Array("{}".utf8))
            try faults(#"{"errcode":40001,"errcode_count":1}"#)
            _ = try await client.call(.confirm, body: Array("{}".utf8))
            #expect(try calls("/shop/coupon/confirm") == 3)
            #expect(try calls("/cgi-bin/stable_token") == 2)

            try faults(#"{"errcode":40001,"errcode_count":100}"#)
            await #expect(throws: WeChatCallError.self) { _ = try await client.call(.confirm, body: Array("{}".utf8)) }
            // One call, one new token, one retry, no more.
            #expect(try calls("/shop/coupon/confirm") == 5)
            #expect(try calls("/cgi-bin/stable_token") == 3)
        }
    }

    @Test func couponsAreAddedAndTheirStateReadBack() async throws {
        try await run {
            let body = Array(WeChatExample.directReduction(id: "c1").utf8)
            let coupon = try Coupon.decode(requestBody: try JSONParser.parse(body))
            try await client.addCoupon(coupon)
            #expect(try await client.couponState(outCouponID: "c1").status == 1)
            do throws(WeChatCallError) {
                _ = try await client.couponState(outCouponID: "nope")
                Issue.record("a coupon WeChat does not have came back")
            } catch {
                guard case .refused(let refusal) = error else { Issue.record("\(error)"); return }
                #expect(refusal.code == 1_090_004)
                #expect(refusal.kind == .refused)
            }
        }
    }

    @Test func aDownWeChatIsUnreachableAndNoTokenIsEverInTheMessage() async throws {
        try await run {
            let token = try await client.tokens.token()
            try faults(#"{"down":true}"#)
            do throws(WeChatCallError) {
                _ = try await client.call(.confirm, body: Array("{}".utf8))
                Issue.record("a down WeChat answered")
            } catch {
                guard case .unreachable(let reason) = error else { Issue.record("\(error)"); return }
                #expect(reason == "HTTP 503")
                #expect(!error.description.contains(token.value))
            }
        }
    }

    @Test func aConnectionDroppedMidAnswerIsUnreachable() async throws {
        try await run {
            _ = try await client.tokens.token()
            try faults(#"{"drop":true}"#)
            do throws(WeChatCallError) {
                _ = try await client.call(.confirm, body: Array("{}".utf8))
                Issue.record("a dropped answer was taken")
            } catch {
                guard case .unreachable = error else { Issue.record("\(error)"); return }
            }
            try faults("{}")
            _ = try await client.call(.confirm, body: Array("{}".utf8))
            #expect(try calls("/shop/coupon/confirm") == 2)
        }
    }

    @Test func everyCouponEndpointHasATypedCall() async throws {
        try await run {
            let body = Array(WeChatExample.directReduction(id: "c9").utf8)
            var coupon = try Coupon.decode(requestBody: try JSONParser.parse(body))
            try await client.confirm()
            try await client.addCoupon(coupon)
            coupon.couponInfo.name = "改名"
            try await client.updateCoupon(coupon)
            try await client.updateCouponStatus(outCouponID: "c9", status: .active)
            try await client.updateCouponStock(outCouponID: "c9", issuedNum: 90, receiveNum: 10)
            let list = try await client.couponList(pageSize: 10, offset: 0)
            #expect(list.totalNum == 1)
            let entry = try #require(list.entries.first)
            #expect(entry.outCouponID == "c9" && entry.state.status == 2 && entry.issuedNum == 90 && entry.receiveNum == 10)

            try await client.addUserCoupon(openID: "o1", outUserCouponID: "u1", outCouponID: "c9", status: .active, receiveTime: 1_800_000_100)
            try await client.updateUserCoupon(openID: "o1", outUserCouponID: "u1", outCouponID: "c9", useTime: 1_800_000_200, receiveTime: 1_800_000_100)
            try await client.updateUserCouponStatus(openID: "o1", outCouponID: "c9", outUserCouponID: "u1", status: .used)
            let users = try await client.userCouponList(openID: "o1", pageSize: 10, offset: 0)
            #expect(users.totalNum == 1)
            let user = try #require(users.entries.first)
            #expect(user.outUserCouponID == "u1" && user.outCouponID == "c9" && user.status == 102 && user.useTime == 1_800_000_200)
            // Every endpoint was reached once, under WeChat's own spelling.
            for endpoint in CouponEndpoint.allCases where endpoint != .get {
                #expect(try calls(endpoint.path) == 1, "\(endpoint.path)")
            }
        }
    }

    func run(_ body: () async throws -> Void) async throws {
        try await shuttingDown(client, after: body)
    }
}
