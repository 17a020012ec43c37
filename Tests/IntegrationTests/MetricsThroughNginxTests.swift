import Foundation
import TestSupport
import Testing

/// `GET /metrics` through nginx: what a create does to the counters, and who may read them.
@Suite struct MetricsThroughNginxTests {
    /// The value of the sample `name{labels}` (labels as rendered, in order), nil when it is not there.
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func aCreateMovesTheWeChatCallAndRequestCountersAndTheBacklogShows() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let addCalls = #"coupon_admin_wechat_call_duration_seconds_count{endpoint="/shop/coupon/add",errcode="0"}"#
        let creates = #"coupon_admin_http_request_duration_seconds_count{route="/api/v1/coupons",method="POST",status="201"}"#

        let before = try stack.get("/metrics", authorized: false)
        #expect(before.status == 200 && before.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(Self.sample(before.text, addCalls) == nil, "no call made yet")

        let created = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                        body: Array(WeChatExample.directReduction(id: "metrics-1").utf8))
        #expect(created.status == 201)
        #expect(try stack.get("/api/v1/coupons/metrics-1").status == 200)
        #expect(try stack.get("/api/v1/coupons/no-such-coupon").status == 404)
        #expect(try stack.get("/api/v1/nothing/here/at/all", authorized: false).status == 404)

        let after = try stack.get("/metrics", authorized: false).text
        #expect(Self.sample(after, addCalls) == 1, "\(after)")
        #expect(Self.sample(after, creates) == 1)
        #expect(Self.sample(after, #"coupon_admin_http_request_duration_seconds_count{route="/api/v1/coupons/{out_coupon_id}",method="GET",status="200"}"#) == 1)
        #expect(Self.sample(after, #"coupon_admin_http_request_duration_seconds_count{route="/api/v1/coupons/{out_coupon_id}",method="GET",status="404"}"#) == 1)
        #expect(Self.sample(after, #"coupon_admin_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}"#) == 1)
        #expect(!after.contains("metrics-1") && !after.contains("no-such-coupon"), "labels hold route patterns, never ids or paths")
        #expect(Self.sample(after, #"coupon_admin_wechat_token_fetches_total{outcome="ok"}"#) == 1)
        #expect((Self.sample(after, "coupon_admin_database_commit_duration_seconds_count") ?? 0) >= 2)
        #expect(Self.sample(after, "coupon_admin_coupons_pending") == 0)
        #expect((Self.sample(after, "coupon_admin_wechat_token_age_seconds") ?? -1) >= 0)

        // WeChat refuses the next add: the errcode shows, and the coupon waits as rejected.
        try sandbox.faults(#"{"errcode":1090011,"errcode_count":1}"#)
        _ = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                              body: Array(WeChatExample.directReduction(id: "metrics-2").utf8))
        let refused = try stack.get("/metrics", authorized: false).text
        #expect(Self.sample(refused, #"coupon_admin_wechat_call_duration_seconds_count{endpoint="/shop/coupon/add",errcode="1090011"}"#) == 1, "\(refused)")
        #expect(Self.sample(refused, "coupon_admin_coupons_rejected") == 1)

        // WeChat unreachable: the coupon waits, the backlog shows it, and the passes that get nothing through are warnings.
        try sandbox.faults(#"{"down":true}"#)
        let waiting = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                        body: Array(WeChatExample.directReduction(id: "metrics-3").utf8))
        #expect(waiting.status == 202)
        #expect(Self.sample(try stack.get("/metrics", authorized: false).text, "coupon_admin_coupons_pending") == 1)
        let warned = try stack.workerLogLines(containing: #"warning "sync pass""#)
        #expect(warned.first?.contains("synced=0") == true && warned.first?.contains("pending=1") == true, "\(warned)")
        try sandbox.faults("{}")

        // Under the prefix, the same worker's metrics.
        #expect(try stack.get("/coupon-admin/metrics", port: stack.prefixPort, authorized: false).text.contains(addCalls))
    }

    @Test func onlyTheAllowedAddressesGetThemAndNoOtherLocationServesThem() throws {
        let stack = try Stack(nginxValues: ["METRICS_ALLOW=192.0.2.1 2001:db8::/32"])
        let refused = try stack.get("/metrics", authorized: false)
        #expect(refused.status == 403 && refused.headers["content-type"] == "application/problem+json", "\(refused.status) \(refused.text)")
        #expect(refused.text.contains("may not read the metrics"))
        #expect(try stack.get("/coupon-admin/metrics", port: stack.prefixPort, authorized: false).status == 403)
        // Another way to the worker's /metrics (a second slash, an escape) is not through the metrics location.
        for path in ["//metrics", "/%6Detrics", "/metrics/"] {
            let other = try stack.get(path, authorized: false)
            #expect(other.status != 200 && !other.text.contains("coupon_admin_"), "\(path): \(other.status)")
        }
        // Straight to the worker's socket, without nginx's METRICS_ALLOWED, it is not there either.
        let direct = try FastCGIClient.send(to: stack.socketPath, params: FastCGIClient.params("GET", "/metrics"))
        #expect(direct.status == 404)
    }
}
