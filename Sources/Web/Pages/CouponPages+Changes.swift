import Coupons
import FastCGI
import Storage
import Sync

/// The admin pages' changes to a stored coupon, with the same rules and queue as the API's
/// (`CouponAPI+Changes`): the edit form, the status buttons and the stock form of a coupon's page.
/// Each change is stored, then sent to WeChat waiting up to `syncDeadline`, and ends on the coupon's page.
/// Each form carries the coupon's version it was loaded with: a change over someone else's is refused,
/// and the edit form then shows both versions and asks again.
extension CouponPages {
    func addChangeRoutes(to router: inout Router) {
        router.group(services.staff(.editor)) { editors in
            editors.get("/admin/coupons/{out_coupon_id}/edit") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                guard let record = try database.coupons.coupon(outCouponID: id), let coupon = record.coupon else { throw HTTPError.noSuchCoupon }
                let status = CouponStatus(rawValue: record.status) ?? .notActive
                guard status.isEditable else {
                    let words = CouponWords(language: Language(for: context.request), clock: clock)
                    return try Self.couponPage(
                        id, database: database, hasWeChat: sync != nil, clock: clock, context, problem: words.refusal(.notEditable(status)), status: 409)
                }
                return Self.editForm(CouponForm(coupon: coupon, clock: clock), errors: FormErrors(), id: id, version: record.version, clock: clock, context)
            }

            editors.post("/admin/coupons/{out_coupon_id}/edit") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                var form = try CouponForm(body: try Self.formBody(context.request), fields: CouponForm.fieldNames + ["version"])
                // The id is the coupon's; the form shows it but cannot change it.
                form.values["out_coupon_id"] = id
                let (version, expected) = Self.loadedVersion(form)
                let coupon: Coupon
                switch form.coupon(clock: clock) {
                case .success(let valid): coupon = valid
                case .failure(let errors): return Self.editForm(form, errors: errors, id: id, version: version, clock: clock, context, status: 422)
                }
                let outcome = try database.coupons.editCoupon(coupon, expecting: expected, by: context.actor, now: now())
                return try await Self.afterChange(outcome, id, sync, syncDeadline, done: "edited", context) { refusal in
                    if case .staleVersion(let current) = refusal {
                        return try conflictForm(form, yours: coupon, id: id, current: current, context)
                    }
                    let words = CouponWords(language: Language(for: context.request), clock: clock)
                    let errors = FormErrors(problems: ["": CouponForm.Problem(key: "error.refused", arguments: [words.refusal(refusal)])])
                    return Self.editForm(form, errors: errors, id: id, version: version, clock: clock, context, status: 409)
                }
            }

            editors.post("/admin/coupons/{out_coupon_id}/status") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let form = try CouponForm(body: try Self.formBody(context.request), fields: ["status", "version"])
                guard let status = Int(form["status"]).flatMap(CouponStatus.init(rawValue:)), status != .notActive else {
                    throw HTTPError(status: 400, detail: "status must be 2 (active), 3 (expired) or 4 (voided).")
                }
                let outcome = try database.coupons.requestStatus(status, outCouponID: id, expecting: Self.loadedVersion(form).expected, by: context.actor, now: now())
                return try await Self.afterChange(outcome, id, sync, syncDeadline, done: "changed", context) { refusal in
                    try Self.couponPage(
                        id, database: database, hasWeChat: sync != nil, clock: clock, context,
                        problem: CouponWords(language: Language(for: context.request), clock: clock).refusal(refusal), status: 409)
                }
            }

            editors.post("/admin/coupons/{out_coupon_id}/stock") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let form = try CouponForm(body: try Self.formBody(context.request), fields: ["issued_num", "receive_num", "version"])
                var errors = FormErrors()
                var numbers: [String: Int] = [:]
                for name in ["issued_num", "receive_num"] {
                    let text = form[name].trimmedWhitespace
                    if text.isEmpty {
                        errors.problems[name] = CouponForm.Problem(key: "error.required")
                    } else if let number = Units.wholeNumber(String(text)), number <= CouponLimits.maximum {
                        numbers[name] = number
                    } else {
                        errors.problems[name] = CouponForm.Problem(key: "error.stock_number", arguments: [String(CouponLimits.maximum)])
                    }
                }
                if let issued = numbers["issued_num"], let received = numbers["receive_num"], received > issued {
                    errors.problems["receive_num"] = CouponForm.Problem(key: "error.receive_above_issued", arguments: [String(issued)])
                }
                guard errors.problems.isEmpty, let issued = numbers["issued_num"], let received = numbers["receive_num"] else {
                    return try Self.couponPage(
                        id, database: database, hasWeChat: sync != nil, clock: clock, context, stockForm: form, stockErrors: errors, status: 422)
                }
                let outcome = try database.coupons.requestStock(
                    issuedNum: issued, receiveNum: received, outCouponID: id, expecting: Self.loadedVersion(form).expected, by: context.actor, now: now()
                )
                return try await Self.afterChange(outcome, id, sync, syncDeadline, done: "changed", context) { refusal in
                    try Self.couponPage(
                        id, database: database, hasWeChat: sync != nil, clock: clock, context,
                        problem: CouponWords(language: Language(for: context.request), clock: clock).refusal(refusal), stockForm: form, status: 409)
                }
            }
        }
    }

    /// The body of a posted form; 415 for anything else.
    static func formBody(_ request: Request) throws(HTTPError) -> [UInt8] {
        guard request.hasFormBody else { throw HTTPError(status: 415, detail: "Send the form as application/x-www-form-urlencoded.") }
        return request.body
    }

    static func editForm(
        _ form: CouponForm, errors: FormErrors, id: String, version: Int?, conflict: CouponFormView.EditConflict? = nil, clock: ShopClock,
        _ context: RequestContext, status: Int = 200
    ) -> Response {
        let language = Language(for: context.request)
        let view = CouponFormView(
            form: form, errors: errors, words: CouponWords(language: language, clock: clock),
            purpose: .edit(href: context.request.url(for: "/admin/coupons/\(id)"), version: version, conflict: conflict))
        return Pages.render("new-coupon", view.values, status: status, for: context.request, language: language, session: context.session)
    }

    /// The version a change's form was loaded with, and what the change may be made against: that
    /// version, or any for a form without one.
    static func loadedVersion(_ form: CouponForm) -> (version: Int?, expected: ExpectedVersion) {
        guard let text = form.values["version"] else { return (nil, .any) }
        let version = Int(text)
        return (version, .oneOf(version.map { [$0] } ?? []))
    }

    /// The edit form again after someone else saved the coupon: this form's values kept, both versions
    /// shown where they differ, and the stored version to save over if the editor still wants theirs.
    private func conflictForm(_ form: CouponForm, yours: Coupon, id: String, current: Int, _ context: RequestContext) throws -> Response {
        guard let record = try database.coupons.coupon(outCouponID: id), let stored = record.coupon else { throw HTTPError.noSuchCoupon }
        let last = try database.audit.history(ofCoupon: id).last { ["coupon.update", "coupon.set_status", "coupon.set_stock"].contains($0.action) }
        let conflict = CouponFormView.EditConflict(
            stored: CouponForm(coupon: stored, clock: clock), yours: CouponForm(coupon: yours, clock: clock), by: last?.actor, at: last?.at)
        return Self.editForm(form, errors: FormErrors(), id: id, version: record.version, conflict: conflict, clock: clock, context, status: 409)
    }

    /// After a change was asked for: one attempt at sending it (at most `deadline`), then the coupon's page,
    /// whose sync state says how it went. A refused change is shown by `refused`.
    static func afterChange(
        _ outcome: ChangeOutcome, _ id: String, _ sync: CouponSync?, _ deadline: Duration, done: String, _ context: RequestContext,
        refused: (ChangeRefusal) throws -> Response
    ) async throws -> Response {
        switch outcome {
        case .refused(.noSuchCoupon):
            throw HTTPError.noSuchCoupon
        case .refused(let refusal):
            return try refused(refusal)
        case .unchanged:
            return seeCoupon(id, done: "unchanged", context.request)
        case .queued:
            if let sync { _ = await WeChatWait.outcome(within: deadline) { try await sync.sync(outCouponID: id) } }
            return seeCoupon(id, done: done, context.request)
        }
    }
}

extension CouponWords {
    /// Why a change to a coupon was refused here, in the staff's words.
    func refusal(_ refusal: ChangeRefusal) -> String {
        let catalog = language.catalog
        return switch refusal {
        case .noSuchCoupon: catalog["error.404"]
        case .notEditable(let status): catalog.text("refusal.not_editable", self.status(status.rawValue))
        case .transitionNotAllowed(let from, let to): catalog.text("refusal.transition", self.status(from.rawValue), self.status(to.rawValue))
        case .notActive(let status): catalog.text("refusal.not_active", self.status(status.rawValue))
        case .syncRejected(let reason): catalog.text("refusal.sync_rejected", reason)
        case .staleVersion: catalog["refusal.stale_version"]
        }
    }
}
