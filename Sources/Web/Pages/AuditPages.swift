import FastCGI
import Storage
import StrictJSON

/// The audit log for admins, `GET /admin/audit`: newest first, 50 a page, narrowed by who, what,
/// which coupon and when (in the shop's time zone); each entry with its particulars as recorded, an
/// edit's as the fields it changed, each from what to what.
struct AuditPages: Controller, Sendable {
    let services: WebServices
    static let pageSize = 50

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.admin)) { admins in
            admins.get("/admin/audit") { context in
                try page(context)
            }
        }
    }

    private func page(_ context: RequestContext) throws -> Response {
        let request = context.request
        let language = Language(for: request)
        let words = CouponWords(language: language, clock: clock)
        let query = try QueryParameters(CouponPages.droppingEmptyValues(request.query), allowed: ["actor", "action", "coupon", "from", "to", "cursor"])
        var filter = AuditFilter(actor: query["actor"], action: query["action"], coupon: query["coupon"])
        var badTime = false
        if let from = query["from"] { filter.since = clock.unixTime(local: from); badTime = badTime || filter.since == nil }
        if let to = query["to"] { filter.until = clock.unixTime(local: to); badTime = badTime || filter.until == nil }
        let before = query["cursor"].flatMap(PageCursor.row(from:))
        let entries = badTime ? nil : try database.audit.auditEntries(matching: filter, limit: Self.pageSize, before: before)
        let kept = ["actor", "action", "coupon", "from", "to"].compactMap { name in query[name].map { "\(name)=\(Pages.encodedQueryValue($0))" } }
        var values: [String: Any] = [
            "actor": query["actor"] ?? "", "action": query["action"] ?? "", "coupon": query["coupon"] ?? "",
            "from": query["from"] ?? "", "to": query["to"] ?? "", "hasRows": entries?.entries.isEmpty == false, "paged": before != nil,
            "firstHref": request.url(for: "/admin/audit") + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&")),
            "rows": (entries?.entries ?? []).map { entry -> [String: Any] in
                var row: [String: Any] = ["at": words.time(entry.at), "actor": entry.actor, "action": entry.action, "target": entry.target]
                if let changes = Self.changedFields(entry.details) {
                    row["changed"] = true
                    row["changes"] = changes
                } else {
                    row["details"] = entry.details ?? ""
                }
                if entry.targetType == "coupon" { row["href"] = request.url(for: "/admin/coupons/\(Pages.encodedQueryValue(entry.target))") }
                return row
            },
        ]
        if let next = entries?.nextBefore {
            values["nextHref"] = request.url(for: "/admin/audit") + "?" + (kept + ["cursor=\(PageCursor.cursor(forRow: next))"]).joined(separator: "&")
        }
        if badTime { values["problem"] = language.catalog["audit.bad_time"] }
        return Pages.render("audit", values, status: badTime ? 400 : 200, for: request, language: language, session: context.session)
    }

    /// The `changed` list of an edit's details (`AuditTable`), each field with its value before and
    /// after; nil for details without one.
    static func changedFields(_ details: String?) -> [[String: String]]? {
        guard let details, let json = try? JSONParser.parse(Array(details.utf8)), case .array(let changes)? = json.member("changed") else { return nil }
        func shown(_ value: JSONValue?) -> String {
            switch value {
            case nil: return "—"
            case .string(let text)?: return text
            case let value?:
                var writer = JSONWriter(capacity: 32)
                writer.value(value)
                return String(decoding: writer.bytes, as: UTF8.self)
            }
        }
        return changes.map { change in
            ["field": shown(change.member("field")), "from": shown(change.member("from")), "to": shown(change.member("to"))]
        }
    }
}
