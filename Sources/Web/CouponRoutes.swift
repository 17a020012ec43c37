import Coupons
import FastCGI
import Storage
import StrictJSON
import Sync
import Synchronization

extension Router {
    /// The coupon REST API under `/api/v1/coupons`, as `openapi.json` describes it.
    /// `now` gives unix seconds; tests pass a fixed clock. With `sync`, a new coupon is sent to WeChat
    /// before the answer, for at most `syncDeadline`.
    public mutating func addCouponRoutes(
        database: AppDatabase, sync: CouponSync? = nil, syncDeadline: Duration = .seconds(5), now: @escaping @Sendable () -> Int
    ) {
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
                guard let sync else { return .json(status: 202, CouponJSON.item(record), headers: location) }
                switch await Self.attempt(sync, outCouponID: record.outCouponID, within: syncDeadline) {
                case .synced(let synced)?:
                    return .json(status: 201, CouponJSON.item(synced), headers: location)
                case .rejected(_, let refusal)?:
                    var problem = Problem(
                        status: 422, detail: "WeChat refused the coupon: \(refusal.message) (errcode \(refusal.code)). It is stored as rejected.",
                        instance: context.request.fullPath, requestID: context.request.requestID
                    )
                    problem.errcode = refusal.code
                    problem.errmsg = refusal.message
                    return .problem(problem, headers: location)
                case .pending(let pending, _)?:
                    return .json(status: 202, CouponJSON.item(pending), headers: location)
                case .notClaimed?, nil:
                    return .json(status: 202, CouponJSON.item(try database.coupon(outCouponID: record.outCouponID) ?? record), headers: location)
                }
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

    /// One sync attempt, or nil when it has not finished within `deadline`: the attempt then goes on
    /// by itself, off the request's thread, and records its outcome when it has one.
    static func attempt(_ sync: CouponSync, outCouponID: String, within deadline: Duration) async -> CouponSync.Result? {
        let work = Task(executorPreference: globalConcurrentExecutor) { try await sync.sync(outCouponID: outCouponID) }
        return await withCheckedContinuation { continuation in
            let pending = Mutex<CheckedContinuation<CouponSync.Result?, Never>?>(continuation)
            let resume: @Sendable (CouponSync.Result?) -> Void = { result in pending.withLock { $0.take() }?.resume(returning: result) }
            Task(executorPreference: globalConcurrentExecutor) { resume(try? await work.value) }
            Task(executorPreference: globalConcurrentExecutor) {
                try? await Task.sleep(for: deadline)
                resume(nil)
            }
        }
    }
}
