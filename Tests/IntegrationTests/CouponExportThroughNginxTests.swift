import Foundation
import GRDB
import TestSupport
import Testing

/// The coupon list as CSV through real nginx: a hundred thousand coupons stream out of the worker
/// without it ever holding them.
@Suite(.serialized) struct CouponExportThroughNginxTests {
    /// The most the worker's peak memory may grow by while it writes the export: streamed, it grows by
    /// about 2 MiB; an export held whole before it is sent grew it by 34 MiB.
    static let memoryBound = 16 << 20

    static func peakMemory(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ").dropFirst().first ?? "")) * 1024
    }

    @Test func aHundredThousandCouponsStreamOutUnderAFixedMemoryBound() throws {
        let stack = try Stack()
        let seed = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                     body: Array(WeChatExample.directReduction(id: "seed", name: "满100减20").utf8))
        #expect(seed.status == 202)
        // The rest are copies of it, written straight into the file as another process would.
        let database = try DatabaseQueue(path: stack.databasePath)
        try database.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
                INSERT INTO coupon (out_coupon_id, type, name, body, sync_state, status, version, created_at, updated_at)
                SELECT 'bulk-' || i, type, name || ' ' || i, replace(body, '"out_coupon_id":"seed"', '"out_coupon_id":"bulk-' || i || '"'),
                       sync_state, status, version, created_at, updated_at
                FROM coupon, n WHERE out_coupon_id = 'seed'
                """)
        }
        let worker = try #require(stack.worker)
        #expect(try stack.get("/api/v1/coupons?format=csv&q=seed").status == 200, "one export first, so that what it loads once is counted before")
        let before = try Self.peakMemory(of: worker.pid)

        let started = ContinuousClock.now
        let export = try stack.get("/api/v1/coupons", headers: ["Accept": "text/csv"])
        let took = ContinuousClock.now - started
        let grew = try Self.peakMemory(of: worker.pid) - before
        #expect(export.status == 200 && export.headers["content-type"] == "text/csv; charset=utf-8")
        let lines = export.body.split(separator: 10)
        #expect(lines.count == 100_001, "the header and every coupon")
        #expect(lines.last.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("seed,满100减20,104,") == true, "oldest last")
        #expect(grew < Self.memoryBound, "the worker's peak grew by \(grew >> 20) MiB")
        print("export of 100,000 coupons: \(export.body.count >> 20) MiB in \(took); the worker's peak memory grew by \(grew >> 10) KiB")
    }
}
