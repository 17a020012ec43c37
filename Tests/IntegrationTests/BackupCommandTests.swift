import Foundation
import Synchronization
import TestSupport
import Testing

/// `coupon-admin backup` of the live database while creates stream in, and `coupon-admin check`.
@Suite(.serialized) struct BackupCommandTests {
    @Test func aBackupTakenWhileCreatesAreInFlightHoldsEveryCouponAcknowledgedBeforeIt() throws {
        let stack = try Stack()
        let acknowledged = Mutex<[String]>([])
        let finished = Atomic<Int>(0), failed = Atomic<Int>(0), backupDone = Atomic<Bool>(false)
        let port = stack.port, key = stack.apiKey
        // Ten threads creating, ten coupons each at least, and on until the backup is done.
        for thread in 0..<10 {
            Thread.detachNewThread {
                var index = 0
                while index < 10 || !backupDone.load(ordering: .sequentiallyConsistent) {
                    defer { index += 1 }
                    let id = "b-\(thread)-\(index)"
                    let response = try? HTTPClient.request(
                        port: port, "POST", "/api/v1/coupons", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                        body: Array(WeChatExample.directReduction(id: id).utf8))
                    if response?.status == 202 { acknowledged.withLock { $0.append(id) } } else { failed.add(1, ordering: .relaxed) }
                }
                finished.add(1, ordering: .sequentiallyConsistent)
            }
        }
        while acknowledged.withLock({ $0.count }) < 30 { usleep(1000) }
        let before = acknowledged.withLock { $0 }
        let destination = stack.directory.appendingPathComponent("copy.sqlite").path
        let backup = try Stack.run(Stack.workerBinary, ["backup", destination, "--database", stack.databasePath])
        backupDone.store(true, ordering: .sequentiallyConsistent)
        while finished.load(ordering: .sequentiallyConsistent) < 10 { usleep(1000) }

        #expect(backup.output.contains("\(destination): ") && backup.output.contains("integrity_check ok"), "\(backup.output)")
        #expect(try Stack.run("/usr/bin/sqlite3", [destination, "PRAGMA integrity_check"]).output == "ok\n")
        let copied = Set(try Stack.run("/usr/bin/sqlite3", [destination, "SELECT out_coupon_id FROM coupon"]).output.split(separator: "\n").map(String.init))
        #expect(Set(before).isSubset(of: copied), "missing: \(Set(before).subtracting(copied))")
        #expect(acknowledged.withLock { $0.count } >= 100 && failed.load(ordering: .relaxed) == 0, "every create was acknowledged")

        let again = try Stack.run(Stack.workerBinary, ["backup", destination, "--database", stack.databasePath], check: false)
        #expect(again.status == 1 && again.output.contains("exists already"))
        let check = try Stack.run(Stack.workerBinary, ["check", "--database", stack.databasePath], check: false)
        #expect(check.status == 0 && check.output.contains("integrity: ok") && check.output.contains("foreign keys: ok"), "\(check.output)")
    }

    @Test func withoutADestinationTheCopyGoesIntoTheBackupFolderWhichKeepsTheNewest() throws {
        let directory = try TemporaryDirectory("ca-backup-folder")
        defer { directory.remove() }
        let database = directory.path("coupon-admin.sqlite"), folder = directory.path("backups")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database])
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let older = ["coupon-admin-20250101T000000Z.sqlite", "coupon-admin-20260101T000000Z.sqlite"]
        for name in older + ["notes.txt"] { try Data().write(to: URL(fileURLWithPath: folder + "/" + name)) }
        var environment = ProcessInfo.processInfo.environment
        environment["COUPON_ADMIN_BACKUP_DIR"] = folder
        environment["COUPON_ADMIN_BACKUP_KEEP"] = "2"

        let made = try Stack.run(Stack.workerBinary, ["backup", "--database", database], environment: environment)
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(kept.count == 3 && kept[0] == older[1] && kept[2] == "notes.txt", "the oldest copy went, the rest stayed: \(kept)")
        #expect(kept[1].hasPrefix("coupon-admin-2") && kept[1].hasSuffix("Z.sqlite"), "\(kept)")
        #expect(made.output.contains("\(folder)/\(kept[1]): 0 coupons, integrity_check ok"), "\(made.output)")
        #expect(made.output.contains("removed \(folder)/\(older[0])"), "\(made.output)")
        #expect(try Stack.run("/usr/bin/sqlite3", [folder + "/" + kept[1], "PRAGMA integrity_check"]).output == "ok\n")

        environment["COUPON_ADMIN_BACKUP_KEEP"] = "0"
        let refused = try Stack.run(Stack.workerBinary, ["backup", "--database", database], environment: environment, check: false)
        #expect(refused.status == 78 && refused.output.contains("COUPON_ADMIN_BACKUP_KEEP='0'"), "\(refused.output)")
    }

    @Test func checkFailsOnADamagedDatabase() throws {
        let directory = try TemporaryDirectory("ca-check")
        defer { directory.remove() }
        let database = directory.path("coupon-admin.sqlite")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database])
        // A coupon's sync attempt naming a coupon that is not there.
        try Stack.run("/usr/bin/sqlite3", [database, "INSERT INTO sync_attempt (coupon_id, at, endpoint, duration_ms) VALUES (999, 1, '/shop/coupon/add', 1)"])
        let (status, output) = try Stack.run(Stack.workerBinary, ["check", "--database", database], check: false)
        #expect(status == 1)
        #expect(output.contains("foreign keys: 1 rows name rows that are not there"), "\(output)")
    }
}

@Suite(.serialized) struct RestoreCommandTests {
    @Test func aRestoreRoundTripGivesBackTheSameCouponsAndKeepsWhatItReplaced() throws {
        let stack = try Stack()
        func create(_ id: String) throws {
            let response = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                             body: Array(WeChatExample.directReduction(id: id).utf8))
            #expect(response.status == 202)
        }
        for index in 1...5 { try create("kept-\(index)") }
        let copy = stack.directory.appendingPathComponent("copy.sqlite").path
        try Stack.run(Stack.workerBinary, ["backup", copy, "--database", stack.databasePath])
        try create("after-the-backup")

        let refused = try Stack.run(Stack.workerBinary, ["restore", copy, "--database", stack.databasePath], check: false)
        #expect(refused.status == 1 && refused.output.contains("stop it first"), "a live worker has it open: \(refused.output)")

        #expect(try stack.stopWorker().status == 0)
        let restored = try Stack.run(Stack.workerBinary, ["restore", copy, "--database", stack.databasePath], check: false)
        #expect(restored.status == 0 && restored.output.contains("restored from \(copy) (5 coupons)"), "\(restored.output)")
        try stack.startWorker()
        let listed = try stack.get("/api/v1/coupons?limit=50").json()
        let ids = (listed["coupons"] as? [[String: Any]] ?? []).compactMap { ($0["coupon"] as? [String: Any])?["out_coupon_id"] as? String }
        #expect(Set(ids) == Set((1...5).map { "kept-\($0)" }))

        let replaced = try FileManager.default.contentsOfDirectory(atPath: stack.stateDirectory.path).filter { $0.hasPrefix("coupon-admin.sqlite.replaced-") }
        #expect(replaced.contains { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }, "\(replaced)")
    }

    @Test func aDamagedCopyIsNotRestored() throws {
        let directory = try TemporaryDirectory("ca-restore")
        defer { directory.remove() }
        let database = directory.path("coupon-admin.sqlite")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database])
        let damaged = directory.path("damaged.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: damaged))
        let (status, output) = try Stack.run(Stack.workerBinary, ["restore", damaged, "--database", database], check: false)
        #expect(status == 1 && output.contains("cannot be restored"), "\(output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).filter { $0.contains("replaced") }.isEmpty)
    }
}
