import Coupons
import GRDB

/// A spreadsheet of coupons stored as one batch (`coupon_upload`, and a row for each coupon in
/// `coupon_upload_row`): all its coupons or none. The sync sends the new ones on like any other.
public struct CouponUpload: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// The spreadsheet's row number.
        public var row: Int
        /// False when the coupon was stored before, with the same body.
        public var created: Bool
        /// The coupon as it stands now.
        public var coupon: CouponRecord
    }

    public var id: Int64
    public var fileName: String
    public var createdBy: String
    public var createdAt: Int
    public var rows: [Row]
}

/// What storing a spreadsheet came to.
public enum UploadOutcome: Sendable, Equatable {
    case stored(uploadID: Int64)
    /// The rows whose `out_coupon_id` is stored with another body: nothing was stored.
    case conflicts(rows: [Int])
}

extension AppDatabase.CouponTables {
    private struct Conflicts: Error {
        var rows: [Int]
    }

    /// Stores the spreadsheet's coupons in one transaction, each with its audit entry, and the upload
    /// itself (audited as `coupon.upload`). A coupon stored before with the same body is counted, not
    /// stored again; one stored with another body stops the whole upload.
    public func storeUpload(fileName: String, coupons: [(row: Int, coupon: Coupon)], by actor: String, now: Int) throws -> UploadOutcome {
        do {
            return try writer.write { db in
                try db.execute(sql: "INSERT INTO coupon_upload (file_name, created_by, created_at) VALUES (?, ?, ?)", arguments: [fileName, actor, now])
                let uploadID = db.lastInsertedRowID
                var conflicts: [Int] = [], created = 0
                for (row, coupon) in coupons {
                    let record: CouponRecord, isNew: Bool
                    switch try Self.insert(coupon, createdBy: actor, now: now, in: db) {
                    case .created(let new): (record, isNew) = (new, true)
                    case .alreadyStored(let stored): (record, isNew) = (stored, false)
                    case .conflict:
                        conflicts.append(row)
                        continue
                    }
                    if isNew { created += 1 }
                    try db.executeCached(
                        sql: "INSERT INTO coupon_upload_row (upload_id, row, coupon_id, created) VALUES (?, ?, ?, ?)",
                        arguments: [uploadID, row, record.id, isNew]
                    )
                }
                guard conflicts.isEmpty else { throw Conflicts(rows: conflicts) }
                try AppDatabase.AuditTable.append(
                    AuditEntry(at: now, actor: actor, action: "coupon.upload", targetType: "upload", target: String(uploadID), details: AppDatabase.AuditTable.details {
                        $0.member("file") { $0.string(fileName) }
                        $0.member("rows") { $0.integer(coupons.count) }
                        $0.member("created") { $0.integer(created) }
                    }),
                    in: db
                )
                return .stored(uploadID: uploadID)
            }
        } catch let conflicts as Conflicts {
            return .conflicts(rows: conflicts.rows)
        }
    }

    /// An upload with each of its coupons as it stands now, in the spreadsheet's order.
    public func upload(id: Int64) throws -> CouponUpload? {
        try readers.read { db in
            guard let upload = try Row.fetchOne(db, sql: "SELECT file_name, created_by, created_at FROM coupon_upload WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let count = Int32(CouponRecord.Column.allCases.count)
            let rows = try db.cachedStatement(sql: """
                SELECT \(CouponRecord.columns), coupon_upload_row.row, coupon_upload_row.created
                FROM coupon_upload_row JOIN coupon ON coupon.id = coupon_upload_row.coupon_id
                WHERE coupon_upload_row.upload_id = ? ORDER BY coupon_upload_row.row
                """).rows(arguments: [id]) { columns in
                CouponUpload.Row(row: columns.integer(count), created: columns.integer(count + 1) != 0, coupon: CouponRecord(columns: columns))
            }
            return CouponUpload(id: id, fileName: upload["file_name"], createdBy: upload["created_by"], createdAt: upload["created_at"], rows: rows)
        }
    }
}
