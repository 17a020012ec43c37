import Accounts
import FastCGI
import Storage

/// Staff accounts for admins: `GET /admin/people` lists them with a form for a new one, `POST
/// /admin/people` adds one with a generated password shown this once, and each account has
/// `POST /admin/people/{name}/role`, `/disable`, `/enable` and `/password` (a new generated password,
/// shown once; the account's sessions end). Each is audited under the admin's name. The last live
/// admin can be neither demoted nor disabled.
struct PeoplePages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.admin)) { admins in
            admins.get("/admin/people") { context in
                let done = try QueryParameters(context.request.query, allowed: ["done", "name"])
                let notice = done["done"].flatMap { Self.notices[$0] }.map { Language(for: context.request).catalog.text($0, done["name"] ?? "") }
                return try page(context, notice: notice)
            }

            admins.post("/admin/people") { context in
                let form = try QueryParameters(String(decoding: try CouponPages.formBody(context.request), as: UTF8.self), allowed: ["csrf_token", "name", "role"])
                let name = form["name"] ?? "", role = try Self.role(form["role"])
                guard AccountName.problem(with: name) == nil else {
                    return try page(context, name: name, role: role, problem: ("keys.bad_name", [String(AccountName.maximumLength)]), status: 422)
                }
                try services.countAdminAction(by: context.actor)
                let password = GeneratedPassword.make()
                do {
                    try database.accounts.addUser(name: name, role: role, passwordHash: try PasswordHash(password: password).stored, actor: context.actor, now: now())
                } catch AccountError.nameTaken {
                    return try page(context, name: name, role: role, problem: ("people.name_taken", [name]), status: 409)
                }
                return try page(context, newPassword: (name, password), status: 201)
            }

            admins.post("/admin/people/{name}/role") { context in
                let form = try QueryParameters(String(decoding: try CouponPages.formBody(context.request), as: UTF8.self), allowed: ["csrf_token", "role"])
                let name = context.parameters["name"] ?? "", role = try Self.role(form["role"])
                return try change(context, name, done: "role") { try database.accounts.setUserRole(name: name, role: role, actor: context.actor, now: now()) }
            }

            admins.post("/admin/people/{name}/disable") { context in
                let name = context.parameters["name"] ?? ""
                return try change(context, name, done: "disabled") { try database.accounts.disableUser(name: name, actor: context.actor, now: now()) }
            }

            admins.post("/admin/people/{name}/enable") { context in
                let name = context.parameters["name"] ?? ""
                return try change(context, name, done: "enabled") { try database.accounts.enableUser(name: name, actor: context.actor, now: now()) }
            }

            admins.post("/admin/people/{name}/password") { context in
                let name = context.parameters["name"] ?? ""
                try services.countAdminAction(by: context.actor)
                let password = GeneratedPassword.make()
                guard try database.accounts.resetUserPassword(
                    name: name, passwordHash: try PasswordHash(password: password).stored, actor: context.actor, now: now()
                ) else { throw HTTPError(status: 404, detail: "There is no account with this name.") }
                return try page(context, newPassword: (name, password))
            }
        }
    }

    /// The notice each `done=` shows, with the account's name.
    private static let notices = ["role": "people.role_changed", "disabled": "people.disabled", "enabled": "people.enabled"]

    private static func role(_ value: String?) throws(HTTPError) -> Role {
        guard let role = Role(rawValue: value ?? "") else { throw HTTPError(status: 400, detail: "The role is viewer, editor or admin.") }
        return role
    }

    /// Makes a change to an account, then back to the list with a notice; the last admin's refusal is
    /// shown on the list.
    private func change(_ context: RequestContext, _ name: String, done: String, _ make: () throws -> Bool) throws -> Response {
        do {
            guard try make() else { throw HTTPError(status: 404, detail: "There is no account with this name in that state.") }
        } catch AccountError.lastAdmin {
            return try page(context, problem: ("people.last_admin", [name]), status: 409)
        }
        let location = context.request.url(for: "/admin/people") + "?done=\(done)&name=" + Pages.encodedQueryValue(name)
        return Response(status: 303, headers: HTTPHeaders([("Location", location)]))
    }

    private func page(
        _ context: RequestContext, name: String = "", role: Role = .viewer, newPassword: (name: String, password: String)? = nil,
        notice: String? = nil, problem: (key: String, arguments: [String])? = nil, status: Int = 200
    ) throws -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        let csrf = context.session?.csrfToken ?? ""
        let roles = { (chosen: Role) in
            Role.allCases.map { ["value": $0.rawValue, "label": catalog["role.\($0.rawValue)"], "selected": $0 == chosen] as [String: Any] }
        }
        var values: [String: Any] = [
            "name": name, "roles": roles(role),
            "rows": try database.accounts.users().map { user -> [String: Any] in
                let actions = request.url(for: "/admin/people/\(Pages.encodedQueryValue(user.name))")
                var row: [String: Any] = [
                    "name": user.name, "role": catalog["role.\(user.role.rawValue)"], "roles": roles(user.role), "created": words.time(user.createdAt),
                    "isYou": user.name == context.actor, "actions": actions, "csrf": csrf,
                ]
                // Mustache takes any string, the empty one too, as true: a live account has no `disabled` at all.
                if let disabledAt = user.disabledAt { row["disabled"] = catalog.text("people.disabled_at", words.time(disabledAt)) }
                return row
            },
        ]
        if let newPassword {
            values["newPassword"] = newPassword.password
            values["newPasswordFor"] = catalog.text("people.password_for", newPassword.name)
        }
        if let problem { values["problem"] = catalog.text(problem.key, arguments: problem.arguments) }
        return Pages.render("people", values, status: status, for: request, language: language, session: context.session, notice: notice)
    }
}

extension WebServices {
    /// Counts an action that hands out credentials (an account, a password, a key) against the admin's
    /// throttle, or refuses it (429) while the admin is blocked: the login's rule, so that a stolen
    /// admin session cannot mint credentials at speed.
    func countAdminAction(by actor: String) throws(HTTPError) {
        let key = "admin-action:" + actor, at = now()
        if let wait = adminActions.retryAfter([key], now: at) {
            var error = HTTPError(status: 429, detail: "Too many accounts, passwords and keys in a short time; try again in \(wait) s.",
                                  headers: HTTPHeaders([("Retry-After", String(wait))]))
            error.pageMessage = "people.throttled"
            throw error
        }
        adminActions.recordFailure([key], now: at)
    }
}
