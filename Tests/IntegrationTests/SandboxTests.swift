import Foundation
import TestSupport
import Testing

/// The WeChat sandbox over real HTTP, as the worker will use it.
@Suite struct SandboxTests {
    static let example = #"{"coupon":{"out_coupon_id":"coupon_id_1","type":101,"promote_type":4,"coupon_info":{"name":"示例优惠券","promote_info":{"promote_type":4,"finder":{"nickname":"视频号昵称"}},"discount_info":{"discount_condition":{"product_cnt":2,"product_price":5000,"out_product_ids":["product_id_3","product_id_4"]},"discount_num":9800,"discount_fee":6400},"receive_info":{"start_time":1625451250,"end_time":1625454250,"limit_num_one_person":10,"total_num":100},"valid_info":{"valid_type":1,"start_time":1625451250,"end_time":1625464250}}}}"#

    func errcode(_ json: [String: Any]) -> Int? { json["errcode"] as? Int }

    @Test func stableTokensStayTheSameUntilForcedAndAForcedOneEndsTheOld() throws {
        let sandbox = try SandboxProcess()
        let first = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(try sandbox.stableToken()["access_token"] as? String == first)
        #expect((try sandbox.stableToken()["expires_in"] as? Int ?? 0) > 7000)
        #expect(errcode(try sandbox.stableToken(secret: "wrong")) == 40125)
        let forced = try #require(try sandbox.stableToken(force: true)["access_token"] as? String)
        #expect(forced != first)
        #expect(errcode(try sandbox.coupon("confirm", token: first, "{}")) == 40001)
        #expect(errcode(try sandbox.coupon("confirm", token: forced, "{}")) == 0)
    }

    @Test func legacyTokensReplaceEachOtherAfterTheOverlap() throws {
        let sandbox = try SandboxProcess(arguments: ["--token-overlap", "1"])
        let first = try #require(try sandbox.legacyToken()["access_token"] as? String)
        let second = try #require(try sandbox.legacyToken()["access_token"] as? String)
        #expect(first != second)
        #expect(errcode(try sandbox.coupon("confirm", token: first, "{}")) == 0)  // still in the overlap
        usleep(1_200_000)
        #expect(errcode(try sandbox.coupon("confirm", token: first, "{}")) == 40001)
        #expect(errcode(try sandbox.coupon("confirm", token: second, "{}")) == 0)
    }

    @Test func anExpiredTokenAnswers42001() throws {
        let sandbox = try SandboxProcess(arguments: ["--token-lifetime", "1", "--token-overlap", "0"])
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        usleep(1_200_000)
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 42001)
    }

    @Test func couponsAreValidatedStoredAndReadBackWithTheirStatus() throws {
        let sandbox = try SandboxProcess()
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(errcode(try sandbox.coupon("add", token: token, Self.example)) == 0)
        let got = try sandbox.coupon("get", token: token, #"{"out_coupon_id":"coupon_id_1"}"#)
        let coupon = try #require((got["result"] as? [String: Any])?["coupon"] as? [String: Any])
        #expect(coupon["status"] as? Int == 1)
        #expect(coupon["appid"] as? String == "wxsandbox")
        #expect((coupon["coupon_info"] as? [String: Any])?["name"] as? String == "示例优惠券")
        #expect(errcode(try sandbox.coupon("get", token: token, #"{"out_coupon_id":"nope"}"#)) == 1_090_004)

        let withoutDiscount = Self.example.replacingOccurrences(of: #""discount_info":{"discount_condition":{"product_cnt":2,"product_price":5000,"out_product_ids":["product_id_3","product_id_4"]},"discount_num":9800,"discount_fee":6400},"#, with: "")
        #expect(errcode(try sandbox.coupon("add", token: token, withoutDiscount.replacingOccurrences(of: "coupon_id_1", with: "c2"))) == 1_090_049)
        let productWithoutProducts = Self.example.replacingOccurrences(of: #""type":101"#, with: #""type":3"#)
            .replacingOccurrences(of: #","out_product_ids":["product_id_3","product_id_4"]"#, with: "").replacingOccurrences(of: "coupon_id_1", with: "c3")
        #expect(errcode(try sandbox.coupon("add", token: token, productWithoutProducts)) == 1_090_011)
        #expect(errcode(try sandbox.coupon("add", token: token, "not json")) == 47001)
        // The same coupon again is counted: the sync must never do that.
        #expect(errcode(try sandbox.coupon("add", token: token, Self.example)) == 0)
        let stats = try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()
        #expect(stats["coupons"] as? Int == 1)
        #expect(stats["repeated_adds"] as? Int == 1)
        #expect((stats["calls"] as? [String: Int])?["/shop/coupon/add"] == 5)
    }

    @Test func faultsAreSetAtRunTime() throws {
        let sandbox = try SandboxProcess()
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(try sandbox.post("/sandbox/faults", #"{"errcode":45011,"errcode_count":2}"#)["ok"] as? Bool == true)
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 45011)
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 45011)
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 0)

        _ = try sandbox.post("/sandbox/faults", #"{"latency_ms":300}"#)
        let started = ContinuousClock.now
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 0)
        #expect(ContinuousClock.now - started >= .milliseconds(300))

        _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
        let down = try HTTPClient.request(port: sandbox.port, "POST", "/shop/coupon/confirm?access_token=\(token)", body: Array("{}".utf8))
        #expect(down.status == 503)
        _ = try sandbox.post("/sandbox/faults", #"{"failure_rate":1}"#)
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == -1)
        _ = try sandbox.post("/sandbox/faults", "{}")
        #expect(errcode(try sandbox.coupon("confirm", token: token, "{}")) == 0)
        #expect(try HTTPClient.request(port: sandbox.port, "POST", "/sandbox/faults", body: Array(#"{"nonsense":1}"#.utf8)).status == 400)
    }

    @Test func statusesMoveOnlyForwardAndStockNeedsAnActiveCoupon() throws {
        let sandbox = try SandboxProcess()
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(errcode(try sandbox.coupon("add", token: token, Self.example)) == 0)
        let stock = #"{"coupon_stock":{"out_coupon_id":"coupon_id_1","stock_info":{"issued_num":50,"receive_num":3}}}"#
        #expect(errcode(try sandbox.coupon("update_coupon_stock", token: token, stock)) == 1_090_005)
        // Editable while in status 1.
        let renamed = Self.example.replacingOccurrences(of: "示例优惠券", with: "改名")
        #expect(errcode(try sandbox.coupon("update", token: token, renamed)) == 0)
        #expect(errcode(try sandbox.coupon("update_status", token: token, #"{"out_coupon_id":"coupon_id_1","status":3}"#)) == 1_090_008)
        #expect(errcode(try sandbox.coupon("update_status", token: token, #"{"out_coupon_id":"coupon_id_1","status":2}"#)) == 0)
        #expect(errcode(try sandbox.coupon("update", token: token, Self.example)) == 1_090_007)
        #expect(errcode(try sandbox.coupon("update_coupon_stock", token: token, stock)) == 0)
        #expect(errcode(try sandbox.coupon("update_status", token: token, #"{"out_coupon_id":"coupon_id_1","status":1}"#)) == 1_090_008)

        let list = try sandbox.coupon("get_list", token: token, #"{"page_size":10,"offset":0}"#)
        #expect(list["total_num"] as? Int == 1)
        let entry = try #require((list["result_list"] as? [[String: Any]])?.first)
        #expect((entry["coupon"] as? [String: Any])?["status"] as? Int == 2)
        #expect(((entry["coupon"] as? [String: Any])?["coupon_info"] as? [String: Any])?["name"] as? String == "改名")
        #expect(((entry["coupon_stock"] as? [String: Any])?["stock_info"] as? [String: Any])?["receive_num"] as? Int == 3)
        #expect(errcode(try sandbox.coupon("get_list", token: token, #"{"page_size":201,"offset":0}"#)) == 990_007)
    }

    @Test func userCouponsAreGivenUsedAndListed() throws {
        let sandbox = try SandboxProcess()
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(errcode(try sandbox.coupon("add", token: token, Self.example)) == 0)
        let give = #"{"openid":"o1","user_coupon":{"out_user_coupon_id":"u1","out_coupon_id":"coupon_id_1","status":100},"recv_time":1700000000}"#
        #expect(errcode(try sandbox.coupon("add_user_coupon", token: token, give)) == 0)
        #expect(errcode(try sandbox.coupon("add_user_coupon", token: token, give.replacingOccurrences(of: "\"coupon_id_1\"", with: "\"nope\""))) == 1_090_004)
        let use = #"{"openid":"o1","user_coupon":{"out_user_coupon_id":"u1","out_coupon_id":"coupon_id_1","ext_info":{"use_time":1700000500}},"recv_time":1700000000}"#
        #expect(errcode(try sandbox.coupon("update_user_coupon", token: token, use)) == 0)
        #expect(errcode(try sandbox.coupon("update_usercoupon_status", token: token, #"{"openid":"o1","out_coupon_id":"coupon_id_1","out_user_coupon_id":"u1","status":102}"#)) == 0)
        #expect(errcode(try sandbox.coupon("update_usercoupon_status", token: token, #"{"openid":"o1","out_coupon_id":"coupon_id_1","out_user_coupon_id":"u1","status":7}"#)) == 990_007)
        let list = try sandbox.coupon("get_usercoupon_list", token: token, #"{"openid":"o1","page_size":10,"offset":0}"#)
        #expect(list["total_num"] as? Int == 1)
        let first = try #require((list["result_list"] as? [[String: Any]])?.first)
        #expect(first["status"] as? Int == 102)
        #expect((first["ext_info"] as? [String: Any])?["use_time"] as? Int == 1_700_000_500)
        #expect(try sandbox.coupon("get_usercoupon_list", token: token, #"{"openid":"o2","page_size":10,"offset":0}"#)["total_num"] as? Int == 0)
    }
}
