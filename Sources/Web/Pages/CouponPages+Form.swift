import Coupons
import FastCGI
import Foundation
import Storage
import Sync

/// `GET /admin/new-coupon`, the form for a new coupon, and `POST /admin/coupons`, which stores the
/// coupon it describes, sends it to WeChat (waiting up to `syncDeadline`) and shows its page; or
/// shows the form again with every value kept and each problem beside its field.
extension CouponPages {
    func addFormRoutes(to router: inout Router) {
        router.group(services.staff(.editor)) { editors in
            editors.get("/admin/new-coupon") { context in
                let type = try QueryParameters(context.request.query, allowed: ["type"])["type"]
                return Self.couponForm(Self.startingForm(type: type, clock: clock, now: now()), errors: FormErrors(), clock: clock, context)
            }

            editors.post("/admin/coupons") { context in
                let form = try CouponForm(body: try Self.formBody(context.request))
                let coupon: Coupon
                switch form.coupon(clock: clock) {
                case .success(let valid): coupon = valid
                case .failure(let errors): return Self.couponForm(form, errors: errors, clock: clock, context, status: 422)
                }
                switch try database.coupons.createCoupon(coupon, createdBy: context.actor, now: now(), claimingSync: sync?.newClaim()) {
                case .created(let record):
                    if let sync { _ = await WeChatWait.outcome(within: syncDeadline) { try await sync.syncNew(record) } }
                    return Self.seeCoupon(coupon.outCouponID, done: "saved", context.request)
                case .alreadyStored:
                    // The same form sent twice (a double click, a reload): the coupon is there once.
                    return Self.seeCoupon(coupon.outCouponID, done: "saved", context.request)
                case .conflict:
                    let errors = FormErrors(problems: ["out_coupon_id": CouponForm.Problem(key: "error.id_taken")])
                    return Self.couponForm(form, errors: errors, clock: clock, context, status: 409)
                }
            }
        }
    }

    static func couponForm(_ form: CouponForm, errors: FormErrors, clock: ShopClock, _ context: RequestContext, status: Int = 200) -> Response {
        let language = Language(for: context.request)
        let view = CouponFormView(form: form, errors: errors, words: CouponWords(language: language, clock: clock))
        return Pages.render("new-coupon", view.values, status: status, for: context.request, language: language, session: context.session)
    }

    /// A new form: a fresh id, claimable from the next full hour for 30 days, one per person, usable
    /// for 7 days after claiming. `type` preselects a type.
    static func startingForm(type: String?, clock: ShopClock, now: Int) -> CouponForm {
        let start = (now / 3600 + 1) * 3600
        return CouponForm(values: [
            "type": type ?? "", "out_coupon_id": newID(prefix: "C", clock: clock, now: now),
            "claim_start": clock.inputValue(start), "claim_end": clock.inputValue(start + 30 * 86400),
            "per_person": "1", "total": "100", "valid_type": String(ValidType.days.rawValue), "valid_days": "7",
        ])
    }

    /// "C202611231000-k3m9": a fresh id for a form to start with, from the local time and four letters
    /// that cannot be misread; staff may replace it with their own.
    static func newID(prefix: String, clock: ShopClock, now: Int) -> String {
        prefix + clock.localText(now).filter(\.isNumber).prefix(12) + "-"
            + String((0..<4).map { _ in "abcdefghjkmnpqrstuvwxyz23456789".randomElement()! })
    }
}
