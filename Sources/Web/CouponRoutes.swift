import Coupons
import FastCGI
import Storage
import StrictJSON

extension Router {
    /// The coupon REST API under `/api/v1/coupons`, as `openapi.json` describes it.
    /// `now` gives unix seconds; tests pass a fixed clock.
    public mutating func addCouponRoutes(database: AppDatabase, now: @escaping @Sendable () -> Int) {
        post("/api/v1/coupons") { context in
            let coupon: Coupon
            do {
                coupon = try Coupon.decode(requestBody: try context.request.jsonBody())
            } catch let invalid as FieldErrors {
                throw HTTPError(
                    status: 422,
                    detail: "The coupon is not valid: \(invalid.errors.count == 1 ? "1 problem" : "\(invalid.errors.count) problems"), listed in errors.",
                    fieldErrors: invalid.errors.map { Problem.FieldError(field: $0.field, message: $0.message) }
                )
            }
            let location = HTTPHeaders([("Location", context.request.url(for: "/api/v1/coupons/\(coupon.outCouponID)"))])
            switch try database.createCoupon(coupon, now: now()) {
            case .created(let record):
                return .json(status: 202, CouponJSON.item(record), headers: location)
            case .alreadyStored(let record):
                return .json(status: 200, CouponJSON.item(record), headers: location)
            case .conflict:
                throw HTTPError(
                    status: 409,
                    detail: "A coupon with out_coupon_id \(coupon.outCouponID) is already stored with a different body; choose another id.",
                    headers: location
                )
            }
        }

        get("/api/v1/coupons/{out_coupon_id}") { context in
            guard let id = context.parameters["out_coupon_id"], let record = try database.coupon(outCouponID: id) else {
                throw HTTPError(status: 404, detail: "There is no coupon with this out_coupon_id.")
            }
            return .json(status: 200, CouponJSON.item(record))
        }

        get("/api/v1/coupons") { context in
            let query = try CouponListQuery(context.request.query)
            let page = try database.coupons(matching: query.filter, limit: query.limit, before: query.before)
            return .json(status: 200, CouponJSON.page(page))
        }
    }
}
