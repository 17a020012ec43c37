import Accounts
import FastCGI
import Storage

/// A member of staff's own account: `GET /admin/account`, and `POST /admin/account/password`, which
/// changes their password (the current one required) and ends their other sessions. A wrong current
/// password counts against the same throttle as a failed login.
struct AccountPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.viewer)) { staff in
            staff.get("/admin/account") { context in
                let notice = try QueryParameters(context.request.query, allowed: ["done"])["done"] == "changed"
                    ? Language(for: context.request).catalog["account.changed"] : nil
                return page(context, notice: notice)
            }

            staff.post("/admin/account/password") { context in
                try changePassword(context)
            }
        }
    }

    private func changePassword(_ context: RequestContext) throws -> Response {
        let request = context.request
        guard let session = context.session else { throw HTTPError(status: 403) }
        let form = try QueryParameters(
            String(decoding: try CouponPages.formBody(request), as: UTF8.self),
            allowed: ["csrf_token", "name", "current_password", "new_password", "new_password_again"]
        )
        let name = session.principal.name, at = now()
        let attempt = PasswordAttempt(name: name, address: request.remoteAddress, throttle: services.throttle, now: at)
        if let wait = attempt.retryAfter {
            return page(context, problem: ("login.throttled", [String(wait)]), status: 429, headers: [("Retry-After", String(wait))])
        }
        guard let user = try database.accounts.user(named: name), let stored = try? PasswordHash(stored: user.passwordHash),
              stored.verifies(form["current_password"] ?? "")
        else {
            attempt.failed()
            try database.audit.append(AuditEntry(at: at, actor: name, action: "user.change_password_failed", targetType: "user", target: name))
            return page(context, problem: ("account.wrong_password", []), status: 403)
        }
        let new = form["new_password"] ?? ""
        guard new == form["new_password_again"] else { return page(context, problem: ("account.mismatch", []), status: 422) }
        let hash: PasswordHash
        do {
            hash = try PasswordHash(password: new)
        } catch PasswordHash.Problem.tooShort(let minimum) {
            return page(context, problem: ("account.too_short", [String(minimum)]), status: 422)
        } catch PasswordHash.Problem.tooLong(let maximum) {
            return page(context, problem: ("account.too_long", [String(maximum)]), status: 422)
        }
        attempt.succeeded()
        guard try database.accounts.changeOwnPassword(name: name, passwordHash: hash.stored, keptSession: session.idHash, now: at) else {
            throw HTTPError(status: 403)
        }
        return Response(status: 303, headers: HTTPHeaders([("Location", request.url(for: "/admin/account") + "?done=changed")]))
    }

    private func page(
        _ context: RequestContext, notice: String? = nil, problem: (key: String, arguments: [String])? = nil, status: Int = 200,
        headers: [(String, String)] = []
    ) -> Response {
        let language = Language(for: context.request)
        var values: [String: Any] = [
            "name": context.principal?.name ?? "", "minimumLength": PasswordHash.minimumLength,
            "hint": language.catalog.text("account.new_password_hint", String(PasswordHash.minimumLength)),
        ]
        if let problem { values["problem"] = language.catalog.text(problem.key, arguments: problem.arguments) }
        return Pages.render("account", values, status: status, for: context.request, language: language, session: context.session, notice: notice, headers: headers)
    }
}
