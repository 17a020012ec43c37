import Coupons
import FastCGI
import Storage
import StrictJSON

/// `POST /api/v1/coupons/bulk`: one action (activate, expire, void, or retry the sync) on many coupons,
/// named by `out_coupon_ids` or by `filter`, the list's query. Each coupon goes through the same rules
/// and outbox as alone (`BulkChange`); the answer says what each came to, with counts.
extension CouponAPI {
    func addBulkRoutes(to router: inout Router) {
        router.group(services.apiKey(.editor)) { editors in
            editors.post("/api/v1/coupons/bulk") { context in
                let (action, named, filter) = try context.request.jsonObject { reader, collector -> (BulkChange.Action, [String]?, String?)? in
                    let actionName = reader.string("action", required: true)
                    let action = actionName.flatMap(BulkChange.Action.init(rawValue:))
                    if actionName != nil, action == nil {
                        collector.add(reader.path.member("action"), "must be one of \(BulkChange.Action.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    let ids = reader.array("out_coupon_ids", required: false).map { elements in
                        elements.compactMap { value, path in StrictJSON.string(value, at: path, collector: collector) }
                    }
                    let filter = reader.string("filter", required: false)
                    switch (ids, filter) {
                    case (nil, nil), (.some, .some):
                        collector.add(reader.path.member("out_coupon_ids"), "give either out_coupon_ids or filter")
                    case (let ids?, nil) where ids.isEmpty || ids.count > BulkChange.maximumCoupons:
                        collector.add(reader.path.member("out_coupon_ids"), "must name 1 to \(BulkChange.maximumCoupons) coupons")
                    default: break
                    }
                    return action.map { ($0, ids, filter) }
                }
                let bulk = BulkChange(services: services)
                var ids = named ?? []
                if let filter {
                    let query: CouponListQuery
                    do {
                        query = try CouponListQuery(filter, now: now())
                    } catch let error as HTTPError {
                        throw HTTPError(status: 422, detail: "The filter is not a query the list takes.", fieldErrors: (error.fieldErrors ?? []).map {
                            Problem.FieldError(field: "filter.\($0.field)", message: $0.message)
                        })
                    }
                    guard let matching = try bulk.ids(matching: query.filter) else {
                        throw HTTPError(status: 422, detail: "More than \(BulkChange.maximumCoupons) coupons match the filter; narrow it.")
                    }
                    ids = matching
                }
                let outcomes = try await bulk.run(action, on: ids, by: context.actor)
                return .json(status: 200, Self.bulkAnswer(action, outcomes))
            }
        }
    }

    static func bulkAnswer(_ action: BulkChange.Action, _ outcomes: [(id: String, outcome: BulkChange.Outcome)]) -> [UInt8] {
        var writer = JSONWriter()
        writer.object {
            $0.member("action") { $0.string(action.rawValue) }
            $0.member("counts") { counts in
                counts.object {
                    for name in BulkChange.Outcome.names {
                        $0.member(name) { $0.integer(outcomes.filter { $0.outcome.name == name }.count) }
                    }
                }
            }
            $0.member("results") { list in
                list.array {
                    for (id, outcome) in outcomes {
                        $0.object {
                            $0.member("out_coupon_id") { $0.string(id) }
                            $0.member("outcome") { $0.string(outcome.name) }
                            switch outcome {
                            case .refused(let refusal): $0.member("detail") { $0.string(HTTPError(refusal).detail ?? "") }
                            case .rejected(let reason): $0.member("detail") { $0.string("WeChat refused it: \(reason)") }
                            default: break
                            }
                        }
                    }
                }
            }
        }
        return writer.bytes
    }
}
