import Coupons
import FastCGI
import Storage
import Sync
import WeChat

/// The admin pages' user coupons, one user (openid) at a time: the claims stored here with their sync
/// state, what WeChat lists for the user, and for editors a claim form, status buttons and the use time.
/// Every change goes through the same rules and queue as `UserCouponAPI`.
struct UserCouponPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.viewer)) { viewers in
            viewers.get("/admin/user-coupons") { context in
                let query = try QueryParameters(context.request.query, allowed: ["openid", "page", "wechat_offset", "done"])
                let openID = query["openid"].map { String($0.trimmedWhitespace) } ?? ""
                var claim = CouponForm(values: ["openid": openID])
                claim.values["out_user_coupon_id"] = CouponPages.newID(prefix: "U", clock: clock, now: now())
                let offset = query["wechat_offset"].flatMap(CouponListQuery.wholeNumber) ?? 0
                let notice = query["done"].flatMap { ["claimed", "changed", "unchanged"].contains($0) ? Language(for: context.request).catalog["user_coupon.\($0)"] : nil }
                let page = query["page"].flatMap(CouponListQuery.wholeNumber).map { max($0, 1) } ?? 1
                return try await self.render(openID: openID, page: page, wechatOffset: offset, claim: claim, context, notice: notice)
            }
        }
        router.group(services.staff(.editor)) { editors in
            editors.post("/admin/user-coupons") { context in
                let claim = try CouponForm(body: try CouponPages.formBody(context.request), fields: ["openid", "out_coupon_id", "out_user_coupon_id"])
                var check = CouponForm.Checker(form: claim, clock: clock)
                let openID = check.identifier("openid"), couponID = check.identifier("out_coupon_id"), id = check.identifier("out_user_coupon_id")
                guard let openID, let couponID, let id else {
                    return try await self.render(openID: claim["openid"], claim: claim, errors: check.errors, context, status: 422)
                }
                let outcome = try database.coupons.claimUserCoupon(
                    outUserCouponID: id, openID: openID, outCouponID: couponID, receiveTime: now(), by: context.actor, now: now())
                return try await self.afterChange(outcome, openID: openID, done: "claimed", claim: claim, context)
            }

            editors.post("/admin/user-coupons/{out_user_coupon_id}/status") { context in
                let form = try CouponForm(body: try CouponPages.formBody(context.request), fields: ["status"])
                guard let status = Int(form["status"]).flatMap(UserCouponStatus.init(rawValue:)) else {
                    throw HTTPError(status: 400, detail: "status must be 100 (usable), 101 (expired) or 102 (used).")
                }
                let id = context.parameters["out_user_coupon_id"] ?? ""
                let outcome = try database.coupons.setUserCouponStatus(status, outUserCouponID: id, by: context.actor, now: now())
                return try await self.afterChange(outcome, openID: nil, done: "changed", claim: nil, context)
            }

            editors.post("/admin/user-coupons/{out_user_coupon_id}/use-time") { context in
                let form = try CouponForm(body: try CouponPages.formBody(context.request), fields: ["use_time"])
                var check = CouponForm.Checker(form: form, clock: clock)
                let id = context.parameters["out_user_coupon_id"] ?? ""
                guard let useTime = check.time("use_time") else {
                    let problem = check.errors.problems["use_time"].map(Language(for: context.request).catalog.text)
                    let openID = try database.coupons.userCoupon(outUserCouponID: id)?.openID ?? ""
                    return try await self.render(openID: openID, claim: CouponForm(values: ["openid": openID]), context, problem: problem, status: 422)
                }
                let outcome = try database.coupons.setUserCouponUseTime(useTime, outUserCouponID: id, by: context.actor, now: now())
                return try await self.afterChange(outcome, openID: nil, done: "changed", claim: nil, context)
            }
        }
    }
}

/// The user-coupon page's parts shared by its routes.
extension UserCouponPages {

    /// The claims stored here for one user that the page shows.
    static let storedLimit = 100
    static let wechatPageSize = 50

    /// After a claim or a change: one attempt at its coupon's queue, then the user's page; a refusal is
    /// shown on the page with the claim form as it was sent.
    func afterChange(
        _ outcome: UserCouponOutcome, openID: String?, done: String, claim: CouponForm?, _ context: RequestContext
    ) async throws -> Response {
        let record: UserCouponRecord
        switch outcome {
        case .refused(.noSuchUserCoupon):
            throw HTTPError.noSuchUserCoupon
        case .refused(let refusal):
            let words = CouponWords(language: Language(for: context.request), clock: clock)
            let openID = try openID ?? (database.coupons.userCoupon(outUserCouponID: context.parameters["out_user_coupon_id"] ?? "")?.openID) ?? ""
            return try await render(
                openID: openID, claim: claim ?? CouponForm(values: ["openid": openID]), context, problem: words.refusal(refusal), status: 409)
        case .unchanged(let stored):
            return seeUser(stored.openID, done: "unchanged", context.request)
        case .queued(let queued):
            record = queued
        }
        if let sync { _ = await WeChatWait.outcome(within: services.syncDeadline) { try await sync.sync(outCouponID: record.outCouponID) } }
        return seeUser(record.openID, done: done, context.request)
    }

    private func seeUser(_ openID: String, done: String, _ request: Request) -> Response {
        let location = request.url(for: "/admin/user-coupons") + "?openid=" + Pages.encodedQueryValue(openID) + "&done=" + done
        return Response(status: 303, headers: HTTPHeaders([("Location", location)]))
    }

    func render(
        openID: String, page: Int = 1, wechatOffset: Int = 0, claim: CouponForm, errors: FormErrors = FormErrors(), _ context: RequestContext,
        notice: String? = nil, problem: String? = nil, status: Int = 200
    ) async throws -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        var values: [String: Any] = [
            "openid": openID, "hasOpenID": !openID.isEmpty, "hasWeChat": sync != nil,
            "claimFields": ["openid", "out_coupon_id", "out_user_coupon_id"].map { name -> [String: Any] in
                var field: [String: Any] = [
                    "name": name, "label": catalog["user_coupon.\(name)"], "hint": catalog["user_coupon.\(name).hint"], "value": claim[name], "inputType": "text",
                ]
                if let problem = errors.problems[name] { field["error"] = catalog.text(problem) }
                return field
            },
        ]
        if let problem { values["problem"] = problem }
        guard !openID.isEmpty else {
            return Pages.render("user-coupons", values, status: status, for: request, language: language, session: context.session, notice: notice)
        }

        let offset = (page - 1) * Self.storedLimit
        let stored = try database.coupons.userCoupons(openID: openID, limit: Self.storedLimit, offset: offset)
        let pageHref = { (page: Int, wechatOffset: Int) in
            request.url(for: "/admin/user-coupons") + "?openid=" + Pages.encodedQueryValue(openID) + (page > 1 ? "&page=\(page)" : "")
                + (wechatOffset > 0 ? "&wechat_offset=\(wechatOffset)" : "")
        }
        values["hasStored"] = !stored.records.isEmpty
        values["storedCount"] = stored.records.isEmpty || (page == 1 && stored.total <= Self.storedLimit)
            ? catalog.text("user_coupon.count", String(stored.total))
            : catalog.text("list.count", "\(offset + 1)–\(offset + stored.records.count)", String(stored.total))
        if page > 1 { values["storedPreviousHref"] = pageHref(page - 1, wechatOffset) }
        if offset + stored.records.count < stored.total { values["storedNextHref"] = pageHref(page + 1, wechatOffset) }
        values["stored"] = stored.records.map { record -> [String: Any] in
            var row: [String: Any] = [
                "id": record.outUserCouponID, "actions": request.url(for: "/admin/user-coupons/\(record.outUserCouponID)"),
                "couponID": record.outCouponID, "couponHref": request.url(for: "/admin/coupons/\(record.outCouponID)"),
                "status": catalog["user_coupon.status.\(record.status)"], "received": words.time(record.receiveTime),
                "used": record.useTime.map(words.time) ?? "—", "useTime": record.useTime.map(clock.inputValue) ?? "",
                "syncState": record.syncState.rawValue, "sync": words.sync(record.syncState), "syncError": record.syncError ?? "",
                "canChange": record.syncState != .rejected,
                "statusChoices": UserCouponStatus.allCases.filter { $0.rawValue != record.status }.map { status -> [String: Any] in
                    ["value": status.rawValue, "label": catalog["user_coupon.to_status.\(status.rawValue)"]]
                },
            ]
            row["hasSyncError"] = record.syncError != nil
            return row
        }

        if let sync {
            do throws(WeChatCallError) {
                let found = try await sync.userCoupons(openID: openID, pageSize: Self.wechatPageSize, offset: wechatOffset)
                values["hasWeChatRows"] = !found.entries.isEmpty
                values["wechatCount"] = catalog.text("user_coupon.count", String(found.totalNum))
                values["wechatRows"] = found.entries.map { entry -> [String: Any] in
                    [
                        "id": entry.outUserCouponID, "couponID": entry.outCouponID, "couponHref": request.url(for: "/admin/coupons/\(entry.outCouponID)"),
                        "status": catalog["user_coupon.status.\(entry.status)"], "used": entry.useTime.map(words.time) ?? "—",
                    ]
                }
                let next = wechatOffset + found.entries.count
                if next < found.totalNum, !found.entries.isEmpty { values["wechatNextHref"] = pageHref(page, next) }
                if wechatOffset > 0 { values["wechatPreviousHref"] = pageHref(page, max(wechatOffset - Self.wechatPageSize, 0)) }
            } catch {
                values["wechatError"] = catalog.text("user_coupon.wechat_failed", error.description)
            }
        }
        return Pages.render("user-coupons", values, status: status, for: request, language: language, session: context.session, notice: notice)
    }
}

extension CouponWords {
    /// Why a claim or a change to a user coupon was refused here, in the staff's words.
    func refusal(_ refusal: UserCouponRefusal) -> String {
        let catalog = language.catalog
        return switch refusal {
        case .noSuchCoupon: catalog["refusal.no_such_coupon"]
        case .noSuchUserCoupon: catalog["error.404"]
        case .claim(.couponNotActive(let status)): catalog.text("refusal.coupon_not_active", self.status(status.rawValue))
        case .couponSyncRejected(let reason): catalog.text("refusal.sync_rejected", reason)
        case .claim(.outsideClaimWindow(let start, let end)): catalog.text("refusal.outside_claim_window", time(start), time(end))
        case .claim(.limitPerPersonReached(let limit)): catalog.text("refusal.limit_per_person", String(limit))
        case .claim(.noneLeft(let total)): catalog.text("refusal.none_left", String(total))
        case .idTaken: catalog["refusal.claim_id_taken"]
        case .claimRejected(let reason): catalog.text("refusal.claim_rejected", reason)
        }
    }
}
