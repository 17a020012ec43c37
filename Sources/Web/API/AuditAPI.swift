import FastCGI
import Storage
import StrictJSON

/// The audit log: a coupon's history for whoever may read the coupon, and every entry for admins.
struct AuditAPI: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.apiKey(.viewer)) { viewers in
            viewers.get("/api/v1/coupons/{out_coupon_id}/history") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                guard try database.coupons.coupon(outCouponID: id) != nil else { throw HTTPError.noSuchCoupon }
                let entries = try database.audit.history(ofCoupon: id)
                var writer = JSONWriter()
                writer.object {
                    $0.member("entries") { list in list.array { for entry in entries { AuditJSON.write(entry, to: &$0) } } }
                }
                return .json(status: 200, writer.bytes)
            }
        }
        router.group(services.apiKey(.admin)) { admins in
            admins.get("/api/v1/audit") { context in
                let query = try AuditQuery(context.request.query)
                let page = try database.audit.auditEntries(limit: query.page.limit, before: query.page.before)
                var writer = JSONWriter(capacity: 256 * page.entries.count + 64)
                writer.object {
                    $0.member("entries") { list in list.array { for entry in page.entries { AuditJSON.write(entry, to: &$0) } } }
                    $0.member("next_cursor") {
                        if let row = page.nextBefore { $0.string(PageCursor.cursor(forRow: row)) } else { $0.null() }
                    }
                }
                return .json(status: 200, writer.bytes)
            }
        }
    }
}

enum AuditJSON {
    /// `{"at": unix seconds, "actor": "erp", "action": "coupon.create", "target_type": "coupon", "target": "c1", "details": {...}}`
    static func write(_ entry: AuditEntry, to writer: inout JSONWriter) {
        writer.object {
            $0.member("at") { $0.integer(entry.at) }
            $0.member("actor") { $0.string(entry.actor) }
            $0.member("action") { $0.string(entry.action) }
            $0.member("target_type") { $0.string(entry.targetType) }
            $0.member("target") { $0.string(entry.target) }
            if let details = entry.details { $0.member("details") { $0.object(extending: details) { _ in } } }
        }
    }
}

/// The query of `GET /api/v1/audit`: `limit` (1–200, default 50) and `cursor`.
struct AuditQuery {
    var page: PageParameters

    init(_ query: String) throws(HTTPError) {
        let parameters = try QueryParameters(query, allowed: ["limit", "cursor"])
        var errors: [Problem.FieldError] = []
        page = PageParameters(parameters, errors: &errors)
        if !errors.isEmpty { throw HTTPError(status: 400, detail: "The query string is not valid.", fieldErrors: errors) }
    }
}
