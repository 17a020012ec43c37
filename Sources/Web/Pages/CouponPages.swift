import Coupons
import FastCGI
import Storage
import Sync

/// The admin pages for staff: the coupon list, a coupon's page and its actions, and the language
/// switch. The new-coupon form is in `CouponPages+Form`, the changes in `CouponPages+Changes`, the login in `LoginPages`.
struct CouponPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.viewer)) { viewers in
            viewers.get("/admin") { context in
                Response(status: 303, headers: HTTPHeaders([("Location", context.request.url(for: "/admin/coupons"))]))
            }

            viewers.get("/admin/coupons") { context in
                let request = context.request
                let query = try CouponListQuery(Self.droppingEmptyValues(request.query), now: now(), numberedPages: true)
                let language = Language(for: request)
                let words = CouponWords(language: language, clock: clock)
                if query.csv { return CouponCSV.export(query.filter, from: database, words: words, now: now()) }
                let filter = query.filter, limit = query.page.limit, offset = (query.pageNumber - 1) * limit
                let (records, count) = try database.read { snapshot in
                    (try snapshot.coupons(matching: filter, order: query.order, limit: limit, offset: offset),
                     try snapshot.countCoupons(matching: filter, upTo: Self.countedUpTo))
                }
                func href(page: Int?, format: String? = nil) -> String {
                    request.url(for: "/admin/coupons") + Self.listQuery(filter, order: query.order, limit: limit, page: page, format: format)
                }
                var values: [String: Any] = [
                    "q": filter.text ?? "", "differsOnly": filter.differsFromWeChat, "failingOnly": filter.failingBefore != nil,
                    "canImport": sync != nil && (context.principal?.role.allows(.editor) ?? false),
                    "types": CouponType.allCases.map { ["value": $0.rawValue, "label": words.type($0), "selected": $0 == filter.type] },
                    "statuses": CouponStatus.allCases.map { ["value": $0.rawValue, "label": words.status($0.rawValue), "selected": $0 == filter.status] },
                    "syncStates": SyncState.allCases.map { ["value": $0.rawValue, "label": words.sync($0), "selected": $0 == filter.syncState] },
                    "hasRows": !records.isEmpty,
                    "sorts": CouponOrder.allCases.map { ["value": $0.rawValue, "label": words.language.catalog["list.sort.\($0.rawValue)"], "selected": $0 == query.order] },
                    "count": Self.countText(count, shown: records.count, offset: offset, catalog: language.catalog),
                    "rows": records.map { record -> [String: Any] in
                        let coupon = record.coupon
                        return [
                            "id": record.outCouponID, "href": request.url(for: "/admin/coupons/\(record.outCouponID)"), "name": record.name,
                            "type": words.type(rawValue: record.type), "offer": coupon.map(words.offer) ?? "",
                            "claim": coupon.map(words.claimWindow) ?? "", "status": words.status(record.wechatStatus),
                            "syncState": record.syncState.rawValue, "sync": words.sync(record.syncState), "differs": record.wechatDiffers != nil,
                            "pickLabel": language.catalog.text("bulk.choose_one", record.name),
                        ]
                    },
                    "filterFields": CouponFilter.queryNames.compactMap { name in filter.queryValue(name).map { ["name": name, "value": $0] } },
                    "exportHref": href(page: nil, format: "csv"),
                ]
                if query.pageNumber > 1 { values["previousHref"] = href(page: query.pageNumber - 1) }
                if offset + records.count < count { values["nextHref"] = href(page: query.pageNumber + 1) }
                return Pages.render("coupons", values, for: request, language: language, session: context.session)
            }

            viewers.get("/admin/coupons/{out_coupon_id}") { context in
                let done = try QueryParameters(context.request.query, allowed: ["done"])["done"]
                let notice = done.flatMap { Self.couponNotices.contains($0) ? Language(for: context.request).catalog["coupon.\($0)"] : nil }
                return try Self.couponPage(context.parameters["out_coupon_id"] ?? "", database: database, hasWeChat: sync != nil, clock: clock, context, notice: notice)
            }
        }
        router.group { everyone in
            everyone.get("/admin/language/{language}") { context in
                guard let language = Language(rawValue: context.parameters["language"] ?? "") else {
                    throw HTTPError(status: 404, detail: "There is no such language here; use zh-CN or en.")
                }
                let next = try QueryParameters(context.request.query, allowed: ["next"])["next"]
                return Response(status: 303, headers: HTTPHeaders([
                    ("Location", LoginPages.localTarget(next, context.request)),
                    ("Set-Cookie", "\(Language.cookieName)=\(language.rawValue); Path=/; Max-Age=31536000; SameSite=Lax"),
                ]))
            }
        }
        router.group(services.staff(.editor)) { editors in
            editors.post("/admin/coupons/{out_coupon_id}/refresh") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let done: String
                switch try await services.configuredSync().refresh(outCouponID: id, by: context.actor) {
                case .success?: done = "refreshed"
                case .failure?: done = "refresh_failed"
                case nil: throw HTTPError.noSuchCoupon
                }
                return Self.seeCoupon(id, done: done, context.request)
            }

            editors.post("/admin/coupons/{out_coupon_id}/sync") { context in
                let sync = try services.configuredSync()
                let id = context.parameters["out_coupon_id"] ?? ""
                guard try database.coupons.requeueSync(outCouponID: id, actor: context.actor, now: now()) else {
                    guard try database.coupons.coupon(outCouponID: id) != nil else { throw HTTPError.noSuchCoupon }
                    return Self.seeCoupon(id, done: nil, context.request)
                }
                _ = await WeChatWait.outcome(within: syncDeadline) { try await sync.sync(outCouponID: id) }
                return Self.seeCoupon(id, done: "retried", context.request)
            }
        }
        addFormRoutes(to: &router)
        addChangeRoutes(to: &router)
        addBulkRoutes(to: &router)
    }

    /// What `?done=` may name on a coupon's page, each with its notice `coupon.<done>`.
    static let couponNotices: Set<String> = ["saved", "refreshed", "refresh_failed", "retried", "edited", "changed", "unchanged"]

    /// A coupon's page; with a problem or a stock form that comes back, answered with `status`.
    static func couponPage(
        _ id: String, database: AppDatabase, hasWeChat: Bool, clock: ShopClock, _ context: RequestContext, notice: String? = nil,
        problem: String? = nil, stockForm: CouponForm? = nil, stockErrors: FormErrors = FormErrors(), status: Int = 200
    ) throws -> Response {
        guard let (record, attempts, changes) = try database.coupons.couponWithAttemptsAndChanges(outCouponID: id) else { throw HTTPError.noSuchCoupon }
        let language = Language(for: context.request)
        let page = CouponPage(
            record: record, attempts: attempts, changes: changes, history: try database.audit.history(ofCoupon: id),
            words: CouponWords(language: language, clock: clock), href: context.request.url(for: "/admin/coupons/\(id)"),
            canEdit: context.principal?.role.allows(.editor) ?? false, hasWeChat: hasWeChat, stockForm: stockForm, stockErrors: stockErrors, problem: problem)
        return Pages.render("coupon", page.values, status: status, for: context.request, language: language, session: context.session, notice: notice)
    }

    /// Post/Redirect/Get: to the coupon's page, with what was done for its notice.
    static func seeCoupon(_ id: String, done: String?, _ request: Request) -> Response {
        let location = request.url(for: "/admin/coupons/\(id)") + (done.map { "?done=" + $0 } ?? "")
        return Response(status: 303, headers: HTTPHeaders([("Location", location)]))
    }

    /// A list query as the filter form sends it, `type=&q=`, without the fields left at "any".
    static func droppingEmptyValues(_ query: String) -> String {
        query.split(separator: "&").filter { !$0.hasSuffix("=") && !$0.isEmpty }.joined(separator: "&")
    }

    /// The list counts what matches exactly up to this many, and says "more than" past it.
    static let countedUpTo = 10_000

    /// "51–100 of 1,234", or "of more than 10,000".
    static func countText(_ count: Int, shown: Int, offset: Int, catalog: Catalog) -> String {
        guard shown > 0 else { return catalog.text("list.count_none", String(count)) }
        let range = "\(offset + 1)–\(offset + shown)"
        return count > countedUpTo ? catalog.text("list.count_more", range, String(countedUpTo)) : catalog.text("list.count", range, String(count))
    }

    /// `?type=2&q=...&sort=name&page=2` for a link to a page of the list with the same filter, order and page size.
    static func listQuery(_ filter: CouponFilter, order: CouponOrder = .newest, limit: Int, page: Int?, format: String? = nil) -> String {
        var pairs = CouponFilter.queryNames.compactMap { name in filter.queryValue(name).map { "\(name)=" + Pages.encodedQueryValue($0) } }
        if limit != PageParameters.defaultLimit { pairs.append("limit=\(limit)") }
        if order != .newest { pairs.append("sort=" + order.rawValue) }
        if let page, page > 1 { pairs.append("page=\(page)") }
        if let format { pairs.append("format=" + format) }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}
