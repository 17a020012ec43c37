import Coupons
import FastCGI
import Storage
import StrictJSON
import Sync
import Synchronization

/// The coupon REST API under `/api/v1/coupons`, as `openapi.json` describes it: creates and reads
/// here, changes in `CouponAPI+Changes`. With WeChat configured, a new coupon is sent to it before the
/// answer, for at most the services' `syncDeadline`; GET by id and the list are answered again from the
/// answer cache while the database is unchanged.
struct CouponAPI: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.apiKey(.editor)) { editors in
            editors.post("/api/v1/coupons") { context in
                let coupon = try context.request.couponBody()
                let location = HTTPHeaders([("Location", context.request.url(for: "/api/v1/coupons/\(coupon.outCouponID)"))])
                switch try database.coupons.createCoupon(coupon, createdBy: context.principal?.name, now: now(), claimingSync: sync?.newClaim()) {
                case .created(let record):
                    guard let sync else {
                        var headers = location
                        headers.add(name: "ETag", value: CouponVersionTag.tag(record.version))
                        return .json(status: 202, CouponJSON.item(record, attempts: []), headers: headers)
                    }
                    return try await Self.answer(coupon.outCouponID, within: syncDeadline, database, syncedStatus: 201, headers: location) {
                        try await sync.syncNew(record)
                    }
                case .alreadyStored(let record):
                    return try Self.couponItem(record.outCouponID, database, status: 200, headers: location)
                case .conflict:
                    throw HTTPError(
                        status: 409,
                        detail: "A coupon with out_coupon_id \(coupon.outCouponID) is already stored with a different body; choose another id.",
                        headers: location
                    )
                }
            }

            editors.post("/api/v1/coupons/{out_coupon_id}/sync") { context in
                let sync = try services.configuredSync()
                let id = context.parameters["out_coupon_id"] ?? ""
                guard try database.coupons.requeueSync(outCouponID: id, actor: context.actor, now: now()) else {
                    return try Self.couponItem(id, database, status: 200)
                }
                return try await Self.answer(id, within: syncDeadline, database, syncedStatus: 200) { try await sync.sync(outCouponID: id) }
            }
        }
        router.group(services.cachedReads(.viewer)) { viewers in
            viewers.get("/api/v1/coupons/{out_coupon_id}", reading: database) { context, snapshot in
                let id = context.parameters["out_coupon_id"] ?? ""
                guard try RefreshQuery(context.request.query).refresh else { return .response(try Self.couponItem(id, snapshot, status: 200)) }
                try context.require(.editor)
                return .afterwards {
                    switch try await services.configuredSync().refresh(outCouponID: id, by: context.actor) {
                    case .success?: break
                    case .failure(let error)?:
                        throw HTTPError(
                            status: 502, detail: "WeChat could not be asked for the coupon: \(error.description). The stored copy is unchanged.",
                            errcode: error.errcode, errmsg: error.refusal?.message
                        )
                    case nil: throw HTTPError.noSuchCoupon
                    }
                    return try Self.couponItem(id, database, status: 200)
                }
            }

            viewers.get("/api/v1/coupons", reading: database) { context, snapshot in
                let query = try CouponListQuery(context.request.query, now: now())
                if query.wantsCSV(context.request) {
                    let words = CouponWords(language: Language(for: context.request), clock: clock)
                    return .response(CouponCSV.export(query.filter, from: database, words: words, now: now()))
                }
                let page = try snapshot.coupons(matching: query.filter, limit: query.page.limit, before: query.page.before)
                return .response(.json(status: 200, CouponJSON.page(page)))
            }
        }
        addChangeRoutes(to: &router)
        addBulkRoutes(to: &router)
    }

    /// Runs a sync attempt for a stored coupon for at most `deadline` and answers with the outcome:
    /// `syncedStatus` when synced, 422 rejected with WeChat's errcode and errmsg, 202 pending.
    static func answer(
        _ outCouponID: String, within deadline: Duration, _ database: AppDatabase, syncedStatus: Int, headers: HTTPHeaders = HTTPHeaders(),
        refused: String = "the coupon", syncing attempt: @escaping @Sendable () async throws -> CouponSync.Result
    ) async throws -> Response {
        let result = await WeChatWait.outcome(within: deadline, attempt)
        if case .rejected(_, let refusal)? = result {
            throw HTTPError(
                status: 422, detail: "WeChat refused \(refused): \(refusal.message) (errcode \(refusal.code)). It is stored as rejected.",
                headers: headers, errcode: refusal.code, errmsg: refusal.message
            )
        }
        return try couponItem(outCouponID, database, status: result.map { if case .synced = $0 { syncedStatus } else { 202 } } ?? 202, headers: headers)
    }

    /// The stored coupon with its attempts, and its changes still to send (or refused) when there are
    /// any, tagged with its version.
    static func couponItem(_ outCouponID: String, _ database: AppDatabase, status: Int, headers: HTTPHeaders = HTTPHeaders()) throws -> Response {
        try database.read { try couponItem(outCouponID, $0, status: status, headers: headers) }
    }

    static func couponItem(_ outCouponID: String, _ snapshot: any ReadSnapshot, status: Int, headers: HTTPHeaders = HTTPHeaders()) throws -> Response {
        guard let (record, attempts, changes) = try snapshot.couponWithAttemptsAndChanges(outCouponID: outCouponID) else { throw HTTPError.noSuchCoupon }
        var headers = headers
        headers.add(name: "ETag", value: CouponVersionTag.tag(record.version))
        return .json(status: status, CouponJSON.item(record, attempts: attempts, changes: changes.isEmpty ? nil : changes), headers: headers)
    }
}

extension Request {
    /// The coupon of a `{"coupon": {...}}` body, as `POST` and `PUT /api/v1/coupons` take it: 422 listing
    /// every problem when it is not valid.
    func couponBody() throws -> Coupon {
        do {
            return try Coupon.decode(requestBody: try jsonBody())
        } catch let invalid as FieldErrors {
            throw HTTPError.invalidBody(invalid, what: "The coupon")
        }
    }
}

/// The query of `GET /api/v1/coupons/{out_coupon_id}`: `refresh=true` asks WeChat first.
struct RefreshQuery {
    var refresh = false

    init(_ query: String) throws(HTTPError) {
        guard !query.isEmpty else { return }
        switch try QueryParameters(query, allowed: ["refresh"])["refresh"] {
        case "true"?: refresh = true
        case "false"?, nil: refresh = false
        default: throw HTTPError(status: 400, detail: "The query string is not valid.", fieldErrors: [.init(field: "refresh", message: "must be true or false")])
        }
    }
}
