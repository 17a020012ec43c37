import Coupons
import FastCGI
import Storage

/// What failed to reach WeChat, in one place, `GET /admin/failures`: the coupons WeChat refused or that
/// have waited to reach it for longer than `CouponFilter.failingAfter` (the list's `failing=true`),
/// each with its last error explained and a retry, a retry for all of them, and the user coupons whose
/// last change WeChat refused.
struct FailurePages: Controller, Sendable {
    let services: WebServices
    static let shown = 100

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.viewer)) { viewers in
            viewers.get("/admin/failures") { context in
                try page(context)
            }
        }
    }

    private func page(_ context: RequestContext) throws -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        let filter = CouponFilter(failingBefore: now() - CouponFilter.failingAfter)
        let failing = try database.coupons.coupons(matching: filter, limit: Self.shown, before: nil)
        let coupons = try failing.records.compactMap { record -> [String: Any]? in
            guard let (record, attempts, changes) = try database.coupons.couponWithAttemptsAndChanges(outCouponID: record.outCouponID) else { return nil }
            let waitingSince = changes.first(where: { $0.userCoupon == nil })?.requestedAt ?? record.createdAt
            var row: [String: Any] = [
                "id": record.outCouponID, "name": record.name, "href": request.url(for: "/admin/coupons/\(Pages.encodedQueryValue(record.outCouponID))"),
                "syncState": record.syncState.rawValue, "sync": words.sync(record.syncState), "error": record.syncError ?? "",
            ]
            if record.syncState == .pending { row["since"] = catalog.text("failures.waiting_since", words.time(waitingSince)) }
            if let code = attempts.last(where: { ($0.errcode ?? 0) != 0 })?.errcode { row["explained"] = catalog.text("coupon.errcode", String(code), words.errcode(code)) }
            return row
        }
        let userCoupons = try database.coupons.rejectedUserCoupons(limit: Self.shown).map { record -> [String: Any] in
            [
                "id": record.outUserCouponID, "coupon": record.outCouponID, "error": record.syncError ?? "",
                "href": request.url(for: "/admin/user-coupons") + "?openid=" + Pages.encodedQueryValue(record.openID),
            ]
        }
        let values: [String: Any] = [
            "intro": catalog.text("failures.intro", String(CouponFilter.failingAfter / 60)),
            "coupons": coupons, "hasCoupons": !coupons.isEmpty, "more": failing.nextBefore != nil,
            "listHref": request.url(for: "/admin/coupons") + "?failing=true",
            "userCoupons": userCoupons, "hasUserCoupons": !userCoupons.isEmpty,
        ]
        return Pages.render("failures", values, for: request, language: language, session: context.session)
    }
}
