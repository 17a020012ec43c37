import Coupons
import FastCGI
import Storage
import StrictJSON
import Sync

/// Changes to a stored coupon: `PUT /api/v1/coupons/{id}` (edit), `POST .../status` and `POST .../stock`.
/// Each is checked against WeChat's rules here, stored and queued, then sent like a create: the answer
/// waits for WeChat for at most `syncDeadline` (200 sent, 202 still queued, 422 refused by WeChat).
/// With `If-Match`, a change made against another version of the coupon than the stored one is 412.
extension CouponAPI {
    func addChangeRoutes(to router: inout Router) {
        router.group(services.apiKey(.editor)) { editors in
            editors.put("/api/v1/coupons/{out_coupon_id}") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let coupon = try context.request.couponBody()
                guard coupon.outCouponID == id else {
                    throw HTTPError.invalidBody(FieldErrors([FieldError(field: "coupon.out_coupon_id", message: "must be \(id), the id in the path")]), what: "The coupon")
                }
                let outcome = try database.coupons.editCoupon(coupon, expecting: context.request.expectedVersion, by: context.actor, now: now())
                return try await Self.answer(outcome, id, database, sync, syncDeadline, refused: "the edit")
            }

            editors.post("/api/v1/coupons/{out_coupon_id}/status") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let status = try context.request.jsonObject { reader, collector -> CouponStatus? in
                    guard let number = reader.integer("status", required: true) else { return nil }
                    guard let status = CouponStatus(rawValue: number), status != .notActive else {
                        collector.add(reader.path.member("status"), "must be 2 (active), 3 (expired) or 4 (voided); a coupon never goes back to 1")
                        return nil
                    }
                    return status
                }
                let outcome = try database.coupons.requestStatus(status, outCouponID: id, expecting: context.request.expectedVersion, by: context.actor, now: now())
                return try await Self.answer(outcome, id, database, sync, syncDeadline, refused: "the status change")
            }

            editors.post("/api/v1/coupons/{out_coupon_id}/stock") { context in
                let id = context.parameters["out_coupon_id"] ?? ""
                let stock = try context.request.jsonObject { reader, collector -> (issued: Int, received: Int)? in
                    let issued = reader.integer("issued_num", required: true)
                    let received = reader.integer("receive_num", required: true)
                    guard let issued, let received else { return nil }
                    guard received <= issued else {
                        collector.add(reader.path.member("receive_num"), "must not be more than issued_num (\(issued))")
                        return nil
                    }
                    return (issued, received)
                }
                let outcome = try database.coupons.requestStock(
                    issuedNum: stock.issued, receiveNum: stock.received, outCouponID: id, expecting: context.request.expectedVersion, by: context.actor, now: now()
                )
                return try await Self.answer(outcome, id, database, sync, syncDeadline, refused: "the stock update")
            }
        }
    }

    /// 200 with the coupon when there was nothing to change; for a queued change, what sending it came to.
    static func answer(
        _ outcome: ChangeOutcome, _ id: String, _ database: AppDatabase, _ sync: CouponSync?, _ deadline: Duration, refused: String
    ) async throws -> Response {
        switch outcome {
        case .refused(let refusal):
            throw HTTPError(refusal)
        case .unchanged:
            return try couponItem(id, database, status: 200)
        case .queued:
            guard let sync else { return try couponItem(id, database, status: 202) }
            return try await answer(id, within: deadline, database, syncedStatus: 200, refused: refused) { try await sync.sync(outCouponID: id) }
        }
    }
}

extension HTTPError {
    /// 404 for a coupon that is not stored, 409 with the rule for a change WeChat would not allow.
    init(_ refusal: ChangeRefusal) {
        switch refusal {
        case .noSuchCoupon:
            self = .noSuchCoupon
        case .notEditable(let status):
            self.init(status: 409, detail: "Only a coupon that is not active yet (status 1) can be edited; this one is \(status.words) here.")
        case .transitionNotAllowed(let from, let to):
            self.init(
                status: 409,
                detail: "A coupon that is \(from.words) cannot become \(to.words): WeChat allows only 1 → 2 (activate), 2 → 3 (expire) and 2 → 4 (void)."
            )
        case .notActive(let status):
            self.init(status: 409, detail: "Only an active coupon (status 2) takes this; this one is \(status.words) here. Activate it first.")
        case .staleVersion(let current):
            self.init(
                status: 412,
                detail: "The coupon has changed since the version named in If-Match; it is at version \(current) now. Read it again, then decide.",
                headers: HTTPHeaders([("ETag", CouponVersionTag.tag(current))])
            )
        case .syncRejected(let reason):
            self.init(
                status: 409,
                detail: "WeChat refused this coupon or its last change (\(reason)). Edit it, or ask for a retry with POST /api/v1/coupons/{id}/sync, first."
            )
        }
    }
}

extension CouponStatus {
    /// "1 (not active)", "4 (voided)", ...
    var words: String {
        let name = switch self {
        case .notActive: "not active"
        case .active: "active"
        case .expired: "expired"
        case .voided: "voided"
        }
        return "\(rawValue) (\(name))"
    }
}
