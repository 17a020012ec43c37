import Coupons
import FastCGI
import Storage
import TestSupport
import Testing
@testable import Web

/// Coupon versions on the API: `ETag` on answers, `If-Match` on edits, status and stock changes.
extension CouponChangeRoutesTests {
    func sendIfMatch(_ method: String, _ path: String, _ body: String, ifMatch: String?) async throws -> Response {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let ifMatch { headers.add(name: "If-Match", value: ifMatch) }
        return try await router.respond(
            to: Request(method: method, path: path, mountPath: "", query: "", headers: headers, requestID: "r1", body: Array(body.utf8)), logger: logger)
    }

    @Test func aChangeOverAnotherVersionIs412AndChangesNothing() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        let read = try await sendIfMatch("GET", "/api/v1/coupons/c1", "", ifMatch: nil)
        #expect(read.headers["ETag"] == #""1""#)

        let first = try await sendIfMatch("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", name: "First"), ifMatch: #""1""#)
        #expect(first.status == 202 && first.headers["ETag"] == #""2""#)
        let second = try await sendIfMatch("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", name: "Second"), ifMatch: #""1""#)
        #expect(second.status == 412 && second.headers["ETag"] == #""2""#)
        #expect(String(decoding: second.body, as: UTF8.self).contains("it is at version 2 now"))
        #expect(try database.coupons.coupon(outCouponID: "c1").map { "\($0.name) \($0.version)" } == "First 2")
        #expect(try database.coupons.changes(outCouponID: "c1", unsentOnly: true).count == 1)

        for stale in [#""1""#, #"W/"2""#, #""x""#, "2"] {
            #expect(try await sendIfMatch("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#, ifMatch: stale).status == 412, "If-Match: \(stale)")
        }
        let activated = try await sendIfMatch("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#, ifMatch: #""7", "2""#)
        #expect(activated.status == 202 && activated.headers["ETag"] == #""3""#)
        #expect(try await sendIfMatch("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":10,"receive_num":0}"#, ifMatch: #""2""#).status == 412)
        let stocked = try await sendIfMatch("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":10,"receive_num":0}"#, ifMatch: "*")
        #expect(stocked.status == 202 && stocked.headers["ETag"] == #""4""#)
        #expect(try await sendIfMatch("POST", "/api/v1/coupons/c1/status", #"{"status":4}"#, ifMatch: nil).status == 202, "If-Match is optional")
        #expect(try database.coupons.coupon(outCouponID: "c1").map { "\($0.status) \($0.issuedNum ?? 0) \($0.version)" } == "4 10 5")
        #expect(try await sendIfMatch("PUT", "/api/v1/coupons/nope", WeChatExample.directReduction(id: "nope"), ifMatch: #""1""#).status == 404)
    }

    @Test func weChatsAnswersLeaveTheVersionBe() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        #expect(try await sendIfMatch("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#, ifMatch: #""1""#).status == 202)
        let change = try #require(try database.coupons.nextChange(outCouponID: "c1"))
        let attempt = SyncAttempt(at: 2, endpoint: "/shop/coupon/update_status", errcode: 0, failure: nil, durationMilliseconds: 1)
        _ = try await database.coupons.recordChange(change, outCouponID: "c1", attempt: attempt, result: .sent(sentBody: nil), holder: "test", claimUntil: 0, now: 2)
        let read = try await sendIfMatch("GET", "/api/v1/coupons/c1", "", ifMatch: nil)
        #expect(read.headers["ETag"] == #""2""# && String(decoding: read.body, as: UTF8.self).contains(#""version":2"#))
        #expect(try database.coupons.coupon(outCouponID: "c1")?.syncState == .synced)
    }

    @Test func ifMatchIsReadAsRFC9110Has() {
        #expect(CouponVersionTag.expected(ifMatch: nil) == .any)
        #expect(CouponVersionTag.expected(ifMatch: "*") == .any)
        #expect(CouponVersionTag.expected(ifMatch: #""3""#) == .oneOf([3]))
        #expect(CouponVersionTag.expected(ifMatch: #" "3" , "4""#) == .oneOf([3, 4]))
        #expect(CouponVersionTag.expected(ifMatch: #"W/"3""#) == .oneOf([]))
        #expect(CouponVersionTag.expected(ifMatch: "3") == .oneOf([]))
        #expect(!ExpectedVersion.oneOf([]).allows(1) && ExpectedVersion.any.allows(1) && ExpectedVersion.oneOf([1, 2]).allows(2))
    }
}
