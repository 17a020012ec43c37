import Coupons
import FastCGI
import Storage
import StrictJSON
import Sync
import WeChat

/// User coupons for internal tools, under `/api/v1/user-coupons`: a claim (`add_user_coupon`) checked
/// against the coupon's claim window, `limit_num_one_person` and `total_num`, which WeChat leaves to the
/// merchant; its use time and status; a user's list as WeChat has it. Claims and their changes are
/// stored, then sent through their coupon's queue like every other change.
struct UserCouponAPI: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.apiKey(.editor)) { editors in
            editors.post("/api/v1/user-coupons") { context in
                let claim = try context.request.jsonObject { reader, collector -> (id: String, openID: String, couponID: String, time: Int?)? in
                    let id = reader.string("out_user_coupon_id", required: true).flatMap { Self.identifier($0, reader.path.member("out_user_coupon_id"), collector) }
                    let openID = reader.string("openid", required: true).flatMap { Self.identifier($0, reader.path.member("openid"), collector) }
                    let couponID = reader.string("out_coupon_id", required: true).flatMap { Self.identifier($0, reader.path.member("out_coupon_id"), collector) }
                    let time = reader.integer("recv_time", required: false)
                    guard let id, let openID, let couponID else { return nil }
                    return (id, openID, couponID, time)
                }
                let outcome = try database.coupons.claimUserCoupon(
                    outUserCouponID: claim.id, openID: claim.openID, outCouponID: claim.couponID, receiveTime: claim.time ?? now(), by: context.actor, now: now()
                )
                let location = HTTPHeaders([("Location", context.request.url(for: "/api/v1/user-coupons/\(claim.id)"))])
                return try await Self.answer(outcome, database, sync, syncDeadline, sentStatus: 201, headers: location)
            }

            editors.put("/api/v1/user-coupons/{out_user_coupon_id}") { context in
                let useTime = try context.request.jsonObject { reader, _ in reader.integer("use_time", required: true) }
                let outcome = try database.coupons.setUserCouponUseTime(useTime, outUserCouponID: context.parameters["out_user_coupon_id"] ?? "", by: context.actor, now: now())
                return try await Self.answer(outcome, database, sync, syncDeadline, sentStatus: 200)
            }

            editors.post("/api/v1/user-coupons/{out_user_coupon_id}/status") { context in
                let status = try context.request.jsonObject { reader, collector -> UserCouponStatus? in
                    guard let number = reader.integer("status", required: true) else { return nil }
                    guard let status = UserCouponStatus(rawValue: number) else {
                        collector.add(reader.path.member("status"), "must be 100 (active), 101 (expired) or 102 (used)")
                        return nil
                    }
                    return status
                }
                let outcome = try database.coupons.setUserCouponStatus(status, outUserCouponID: context.parameters["out_user_coupon_id"] ?? "", by: context.actor, now: now())
                return try await Self.answer(outcome, database, sync, syncDeadline, sentStatus: 200)
            }
        }
        router.group(services.apiKey(.viewer)) { viewers in
            viewers.get("/api/v1/user-coupons/{out_user_coupon_id}") { context in
                guard let record = try database.coupons.userCoupon(outUserCouponID: context.parameters["out_user_coupon_id"] ?? "") else { throw HTTPError.noSuchUserCoupon }
                return .json(status: 200, UserCouponJSON.item(record))
            }

            viewers.get("/api/v1/user-coupons") { context in
                let query = try UserCouponListQuery(context.request.query)
                let sync = try services.configuredSync()
                let page: (totalNum: Int, entries: [WeChatClient.UserCouponEntry])
                do throws(WeChatCallError) {
                    page = try await sync.userCoupons(openID: query.openID, pageSize: query.pageSize, offset: query.offset)
                } catch {
                    throw HTTPError(
                        status: 502, detail: "WeChat could not be asked for the user's coupons: \(error.description).", errcode: error.errcode,
                        errmsg: error.refusal?.message
                    )
                }
                let stored = try page.entries.map { try database.coupons.userCoupon(outUserCouponID: $0.outUserCouponID) }
                return .json(status: 200, UserCouponJSON.wechatPage(totalNum: page.totalNum, entries: page.entries, stored: stored, query: query))
            }
        }
    }


    private static func identifier(_ text: String, _ path: FieldPath, _ collector: FieldErrorCollector) -> String? {
        if let problem = CouponLimits.identifierProblem(text) {
            collector.add(path, problem.description)
            return nil
        }
        return text
    }

    /// For a queued claim or change, one attempt at its coupon's queue (at most `deadline`), then the user
    /// coupon: `sentStatus` once WeChat has it, 202 while it waits, 422 when WeChat refused it.
    private static func answer(
        _ outcome: UserCouponOutcome, _ database: AppDatabase, _ sync: CouponSync?, _ deadline: Duration, sentStatus: Int,
        headers: HTTPHeaders = HTTPHeaders()
    ) async throws -> Response {
        let record: UserCouponRecord
        switch outcome {
        case .refused(let refusal):
            throw HTTPError(refusal)
        case .unchanged(let stored):
            return .json(status: 200, UserCouponJSON.item(stored), headers: headers)
        case .queued(let queued):
            record = queued
        }
        if let sync {
            _ = await WeChatWait.outcome(within: deadline) { try await sync.sync(outCouponID: record.outCouponID) }
        }
        let current = try database.coupons.userCoupon(outUserCouponID: record.outUserCouponID) ?? record
        switch current.syncState {
        case .synced:
            return .json(status: sentStatus, UserCouponJSON.item(current), headers: headers)
        case .rejected:
            throw HTTPError(
                status: 422, detail: "WeChat refused it: \(current.syncError ?? ""). It is stored as rejected.", headers: headers,
                errcode: current.syncError.flatMap { Int($0.prefix { $0 == "-" || $0.isNumber }) }
            )
        case .pending:
            return .json(status: 202, UserCouponJSON.item(current), headers: headers)
        }
    }
}

extension HTTPError {
    init(_ refusal: UserCouponRefusal) {
        switch refusal {
        case .noSuchCoupon:
            self = .invalidBody(FieldErrors([FieldError(field: "out_coupon_id", message: "is not the id of a stored coupon")]))
        case .noSuchUserCoupon:
            self = .noSuchUserCoupon
        case .claim(.couponNotActive(let status)):
            self.init(status: 409, detail: "Users can claim only an active coupon (status 2); this one is \(status.words) here.")
        case .couponSyncRejected(let reason):
            self.init(status: 409, detail: "WeChat refused this coupon or its last change (\(reason)); no claims until it is fixed.")
        case .claim(.outsideClaimWindow(let start, let end)):
            self = .invalidBody(FieldErrors([FieldError(field: "recv_time", message: "must be within the coupon's claim window, \(start) to \(end)")]))
        case .claim(.limitPerPersonReached(let limit)):
            self.init(status: 409, detail: "This user already has \(limit) of this coupon, as many as its limit_num_one_person allows.")
        case .claim(.noneLeft(let total)):
            self.init(status: 409, detail: "All \(total) of this coupon (its total_num) are claimed.")
        case .idTaken(let stored):
            self.init(status: 409, detail: "out_user_coupon_id \(stored.outUserCouponID) is already another claim (of \(stored.outCouponID) by another user or at another time); choose another id.")
        case .claimRejected(let reason):
            self.init(status: 409, detail: "WeChat refused this claim (\(reason)), so it cannot be changed.")
        }
    }
}

/// The query of `GET /api/v1/user-coupons`: `openid`, `page_size` (1–200, default 50) and `offset`.
struct UserCouponListQuery {
    var openID = ""
    var pageSize = 50
    var offset = 0

    init(_ query: String) throws(HTTPError) {
        let parameters = try QueryParameters(query, allowed: ["openid", "page_size", "offset"])
        var errors: [Problem.FieldError] = []
        if let openID = parameters["openid"], CouponLimits.identifierProblem(openID) == nil {
            self.openID = openID
        } else {
            errors.append(.init(field: "openid", message: "is required: the user's openid, letters, digits, '_' and '-'"))
        }
        if let text = parameters["page_size"] {
            if let size = CouponListQuery.wholeNumber(text), (1...200).contains(size) { pageSize = size } else {
                errors.append(.init(field: "page_size", message: "must be a whole number from 1 to 200"))
            }
        }
        if let text = parameters["offset"] {
            if let offset = CouponListQuery.wholeNumber(text), offset <= StrictJSON.maximumInteger { self.offset = offset } else {
                errors.append(.init(field: "offset", message: "must be a whole number from 0"))
            }
        }
        if !errors.isEmpty { throw HTTPError(status: 400, detail: "The query string is not valid.", fieldErrors: errors) }
    }
}
