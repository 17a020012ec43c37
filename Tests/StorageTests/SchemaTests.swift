import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct SchemaTests {
    @Test func aDatabaseANewerVersionMigratedIsRefusedNotRunOn() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        do { _ = try file.open() }
        try DatabaseQueue(path: file.path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99 from a newer version')")
        }
        for migrate in [true, false] {
            #expect { try AppDatabase(path: file.path, migrate: migrate) } throws: { error in
                (error as? AppDatabase.NewerSchema)?.unknown == ["v99 from a newer version"]
            }
        }
    }

    @Test func aDatabaseThatHoldsDataIsCopiedBeforeItIsMigratedAndTheLastThreeCopiesAreKept() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let older = AppDatabase.migrationNames[AppDatabase.migrationNames.count - 2]
        func makeOlderDatabase() throws {
            try? FileManager.default.removeItem(atPath: file.path)
            let pool = try DatabasePool(path: file.path)
            try AppDatabase.migrator.migrate(pool, upTo: older)
            try pool.write { db in
                try db.execute(sql: "INSERT INTO coupon (out_coupon_id, type, name, body, sync_state, created_at, updated_at) VALUES ('old', 104, 'Old', '{}', 'pending', 1, 1)")
            }
        }
        for old in ["20200101T000000Z", "20210101T000000Z", "20220101T000000Z"] {
            FileManager.default.createFile(atPath: file.path + ".before-migration-" + old, contents: Data())
        }
        try makeOlderDatabase()
        let migrated = try AppDatabase(path: file.path)
        #expect(migrated.migration.applied == [AppDatabase.migrationNames.last!])
        let backup = try #require(migrated.migration.backup)
        let copied = try DatabaseQueue(path: backup).read { db in
            (try String.fetchOne(db, sql: "PRAGMA integrity_check"), try String.fetchAll(db, sql: "SELECT out_coupon_id FROM coupon"),
             try DatabaseMigrator().appliedIdentifiers(db).count)
        }
        #expect(copied.0 == "ok" && copied.1 == ["old"])
        let copies = try FileManager.default.contentsOfDirectory(atPath: file.directory.path("")).filter { $0.contains(".before-migration-") }.sorted()
        #expect(copies.count == AppDatabase.backupsKept)
        #expect(!copies.contains { $0.hasSuffix("20200101T000000Z") }, "the oldest copy made room")

        #expect(try AppDatabase(path: file.path).migration.applied.isEmpty, "up to date: nothing applied, nothing copied")
    }

    @Test func theAttemptsCountStartsFromTheAttemptsAnOlderDatabaseHolds() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let pool = try DatabasePool(path: file.path)
        try AppDatabase.migrator.migrate(pool, upTo: "v8 changes, stock, user coupons, imports")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO coupon (out_coupon_id, type, name, body, sync_state, created_at, updated_at) VALUES ('old', 104, 'Old', '{}', 'pending', 1, 1)")
            for at in 1...3 {
                try db.execute(sql: "INSERT INTO sync_attempt (coupon_id, at, endpoint, duration_ms) VALUES (1, ?, '/shop/coupon/add', 1)", arguments: [at])
            }
        }
        try pool.close()
        #expect(try AppDatabase(path: file.path).coupons.coupon(outCouponID: "old")?.syncAttemptsTotal == 3)
    }

    @Test func aNewDatabaseIsNotCopied() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let created = try file.open()
        #expect(created.migration.applied == AppDatabase.migrationNames && created.migration.backup == nil)
    }
}
