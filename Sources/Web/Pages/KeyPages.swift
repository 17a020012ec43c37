import Accounts
import FastCGI
import Storage

/// API keys for admins: `GET /admin/keys` lists them with a form for a new one, `POST /admin/keys`
/// creates one and shows it this once (only its hash is stored), `POST /admin/keys/{name}/revoke`
/// revokes one. Each is audited under the admin's name.
struct KeyPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.admin)) { admins in
            admins.get("/admin/keys") { context in
                let done = try QueryParameters(context.request.query, allowed: ["done"])["done"]
                return try page(context, notice: done == "revoked" ? Language(for: context.request).catalog["keys.revoked_notice"] : nil)
            }

            admins.post("/admin/keys") { context in
                let form = try QueryParameters(String(decoding: try CouponPages.formBody(context.request), as: UTF8.self), allowed: ["csrf_token", "name", "role"])
                let name = form["name"] ?? "", role = form["role"].flatMap(Role.init(rawValue:)) ?? .viewer
                guard AccountName.problem(with: name) == nil else {
                    return try page(context, name: name, role: role, problem: ("keys.bad_name", [String(AccountName.maximumLength)]), status: 422)
                }
                try services.countAdminAction(by: context.actor)
                let (key, hash) = APIKey.generate()
                do {
                    try database.accounts.addAPIKey(name: name, role: role, keyHash: hash, actor: context.actor, now: now())
                } catch AccountError.nameTaken {
                    return try page(context, name: name, role: role, problem: ("keys.name_taken", [name]), status: 409)
                }
                return try page(context, newKey: key, status: 201)
            }

            admins.post("/admin/keys/{name}/revoke") { context in
                let name = context.parameters["name"] ?? ""
                guard try database.accounts.revokeAPIKey(name: name, actor: context.actor, now: now()) else {
                    throw HTTPError(status: 404, detail: "There is no live key with this name.")
                }
                return Response(status: 303, headers: HTTPHeaders([("Location", context.request.url(for: "/admin/keys") + "?done=revoked")]))
            }
        }
    }

    private func page(
        _ context: RequestContext, name: String = "", role: Role = .viewer, newKey: String? = nil, notice: String? = nil,
        problem: (key: String, arguments: [String])? = nil, status: Int = 200
    ) throws -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        let keys = try database.accounts.apiKeys()
        var values: [String: Any] = [
            "name": name, "hasRows": !keys.isEmpty,
            "roles": Role.allCases.map { ["value": $0.rawValue, "label": catalog["role.\($0.rawValue)"], "selected": $0 == role] },
            "rows": keys.map { key -> [String: Any] in
                var row: [String: Any] = [
                    "name": key.name, "role": catalog["role.\(key.role.rawValue)"], "created": words.time(key.createdAt),
                    "lastUsed": key.lastUsedAt.map(words.time) ?? catalog["keys.never"],
                    "revokeAction": request.url(for: "/admin/keys/\(Pages.encodedQueryValue(key.name))/revoke"),
                    "csrf": context.session?.csrfToken ?? "",
                ]
                // Mustache takes any string, the empty one too, as true: a live key has no `revoked` at all.
                if let revokedAt = key.revokedAt { row["revoked"] = catalog.text("keys.revoked", words.time(revokedAt)) }
                return row
            },
        ]
        if let newKey { values["newKey"] = newKey }
        if let problem { values["problem"] = catalog.text(problem.key, arguments: problem.arguments) }
        return Pages.render("keys", values, status: status, for: request, language: language, session: context.session, notice: notice)
    }
}
