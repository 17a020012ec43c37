import Coupons
import FastCGI
import Storage

/// The coupon list's bulk actions, `POST /admin/coupons/bulk`: the chosen coupons, or all that match
/// the list's filter, activated, expired, voided or sent again (`BulkChange`), then a page saying what
/// each came to.
extension CouponPages {
    func addBulkRoutes(to router: inout Router) {
        router.group(services.staff(.editor)) { editors in
            editors.post("/admin/coupons/bulk") { context in
                let form = try QueryParameters(
                    String(decoding: try Self.formBody(context.request), as: UTF8.self),
                    allowed: Set(["csrf_token", "action", "all"] + CouponFilter.queryNames), repeatable: ["out_coupon_id"]
                )
                guard let action = form["action"].flatMap(BulkChange.Action.init(rawValue:)) else {
                    throw HTTPError(status: 400, detail: "action must be one of \(BulkChange.Action.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                let bulk = BulkChange(services: services)
                var ids = form.all("out_coupon_id")
                if form["all"] == "true" {
                    let query = try CouponListQuery(CouponFilter.queryNames.compactMap { name in
                        form[name].flatMap { $0.isEmpty ? nil : "\(name)=" + Pages.encodedQueryValue($0) }
                    }.joined(separator: "&"), now: now())
                    guard let matching = try bulk.ids(matching: query.filter) else {
                        return resultPage(action, [], problem: ("bulk.too_many", [String(BulkChange.maximumCoupons)]), context, status: 422)
                    }
                    ids = matching
                }
                guard !ids.isEmpty, ids.count <= BulkChange.maximumCoupons else {
                    return resultPage(action, [], problem: ("bulk.none_chosen", [String(BulkChange.maximumCoupons)]), context, status: 422)
                }
                return resultPage(action, try await bulk.run(action, on: ids, by: context.actor), context)
            }
        }
    }

    private func resultPage(
        _ action: BulkChange.Action, _ outcomes: [(id: String, outcome: BulkChange.Outcome)], problem: (key: String, arguments: [String])? = nil,
        _ context: RequestContext, status: Int = 200
    ) -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        var values: [String: Any] = [
            "heading": catalog.text("bulk.title", catalog["bulk.action.\(action.rawValue)"], String(outcomes.count)),
            "counts": BulkChange.Outcome.names.map { name in
                ["name": name, "label": catalog["bulk.outcome.\(name)"], "value": outcomes.filter { $0.outcome.name == name }.count] as [String: Any]
            },
            "rows": outcomes.map { id, outcome -> [String: Any] in
                let reason = switch outcome {
                case .refused(let refusal): words.refusal(refusal)
                case .rejected(let reason): catalog.text("bulk.rejected", reason)
                default: ""
                }
                let stateClass = switch outcome {
                case .done, .unchanged: "synced"
                case .queued: "pending"
                default: "rejected"
                }
                return [
                    "id": id, "href": request.url(for: "/admin/coupons/\(Pages.encodedQueryValue(id))"), "outcome": outcome.name,
                    "label": catalog["bulk.outcome.\(outcome.name)"], "reason": reason, "stateClass": stateClass,
                ]
            },
        ]
        if let problem { values["problem"] = catalog.text(problem.key, arguments: problem.arguments) }
        return Pages.render("bulk", values, status: status, for: request, language: language, session: context.session)
    }
}
