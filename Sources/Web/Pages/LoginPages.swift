import Accounts
import FastCGI
import Foundation
import Storage

/// `POST /admin/login` (a form with `name`, `password` and where to go `next`) and
/// `POST /admin/logout`. Failed logins are throttled per address and per account (`PasswordAttempt`),
/// and recorded.
struct LoginPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        let sessions = services.sessions
        let throttle = services.throttle
        router.group { everyone in
            everyone.get("/admin/login") { context in
                let next = try QueryParameters(context.request.query, allowed: ["next"])["next"]
                return Self.loginPage(context.request, next: next)
            }

            everyone.post("/admin/login") { context in
                let request = context.request
                guard request.hasFormBody else {
                    throw HTTPError(status: 415, detail: "Log in with a form: application/x-www-form-urlencoded.")
                }
                let form = try QueryParameters(String(decoding: request.body, as: UTF8.self), allowed: ["name", "password", "next"])
                let name = form["name"] ?? "", password = form["password"] ?? ""
                let at = now()
                let attempt = PasswordAttempt(name: name, address: request.remoteAddress, throttle: throttle, now: at)
                if let wait = attempt.retryAfter {
                    return Self.loginPage(request, next: form["next"], name: name, failure: ("login.throttled", [String(wait)]), status: 429,
                                          headers: [("Retry-After", String(wait))])
                }

                let user = try database.accounts.user(named: name)
                // An unknown name costs the same scrypt work as a wrong password, so timing tells nothing.
                let stored = user.flatMap { try? PasswordHash(stored: $0.passwordHash) } ?? Self.stranger
                guard stored.verifies(password), let user, user.disabledAt == nil else {
                    attempt.failed()
                    try database.audit.append(.init(at: at, actor: "anonymous", action: "user.login_failed", targetType: "user", target: name,
                                             details: #"{"address":""# + request.remoteAddress.filter { $0.isHexDigit || $0 == "." || $0 == ":" } + #""}"#))
                    context.logger.notice("login failed", metadata: ["account": "\(name)", "address": "\(request.remoteAddress)"])
                    return Self.loginPage(request, next: form["next"], name: name, failure: ("login.failed", []), status: 401)
                }
                attempt.succeeded()
                if stored.needsRehash(), let rehashed = try? PasswordHash(password: password) {
                    _ = try database.accounts.rehashUserPassword(name: name, passwordHash: rehashed.stored, now: at)
                }
                let cookie = try sessions.start(userName: user.name, for: request)
                return Response(status: 303, headers: HTTPHeaders([("Location", Self.localTarget(form["next"], request)), ("Set-Cookie", cookie)]))
            }
        }
        router.group(services.staff(.viewer)) { viewers in
            viewers.post("/admin/logout") { context in
                if let session = context.session { try sessions.end(session) }
                let request = context.request
                return Response(status: 303, headers: HTTPHeaders([
                    ("Location", request.url(for: "/admin/login")), ("Set-Cookie", StaffSessions.cookie("", maxAge: 0, for: request)),
                ]))
            }
        }
    }

    /// The login form, again with the name kept and why the login failed.
    static func loginPage(
        _ request: Request, next: String?, name: String = "", failure: (key: String, arguments: [String])? = nil, status: Int = 200,
        headers: [(String, String)] = []
    ) -> Response {
        let language = Language(for: request)
        var values: [String: Any] = ["next": next ?? "", "name": name]
        if let failure { values["failure"] = language.catalog.text(failure.key, arguments: failure.arguments) }
        return Pages.render("login", values, status: status, for: request, language: language, session: nil, headers: headers)
    }

    /// Where a login goes on to: `next` when it is a path of this site, else the coupon list.
    static func localTarget(_ next: String?, _ request: Request) -> String {
        let start = request.url(for: "/admin/coupons")
        guard let next, next.hasPrefix(request.mountPath + "/"), !next.hasPrefix("//"), !next.contains("\\"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return start }
        return next
    }

    /// A page asked for without a session: to the login page, and back after it.
    static func redirectToLogin(_ request: Request) -> Response {
        Response(status: 303, headers: HTTPHeaders([("Location", request.url(for: "/admin/login") + "?next=" + Pages.encodedBackLink(request))]))
    }

    /// Refuses a change that does not carry the session's CSRF token, as the form field `csrf_token`
    /// or the header `X-CSRF-Token`.
    static func checkCSRF(_ request: Request, _ session: StaffSessions.Current) throws(HTTPError) {
        var sent = request.headers["x-csrf-token"]
        if sent == nil, request.hasFormBody {
            for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") where pair.hasPrefix("csrf_token=") {
                sent = QueryParameters.decode(pair.dropFirst("csrf_token=".count))
            }
        }
        guard let sent, constantTimeEqual(Array(sent.utf8), Array(session.csrfToken.utf8)) else {
            var error = HTTPError(status: 403, detail: "The form's security token is missing or out of date; reload the page and try again.")
            error.pageMessage = "error.csrf"
            throw error
        }
    }

    /// A password hash no one has: checked against when a login names no account.
    static let stranger = try! PasswordHash(password: randomToken())
}

/// One try at an account's password from an address, counted by the failure throttle that logins and
/// password changes share. The account's own count refuses only addresses that have failed for that
/// account: guessing its password is slowed from anywhere, and yet nobody can lock its owner out by
/// failing on purpose from somewhere else.
struct PasswordAttempt {
    let throttle: FailureThrottle
    let now: Int
    /// What the try is refused by, and what its failure counts against.
    let checked: [String]
    let counted: [String]

    init(name: String, address: String, throttle: FailureThrottle, now: Int) {
        let account = "account:" + name, accountFromAddress = "account:\(name) address:\(address)"
        self.throttle = throttle
        self.now = now
        checked = ["address:" + address] + (throttle.hasFailures(accountFromAddress, now: now) ? [account] : [])
        counted = ["address:" + address, account, accountFromAddress]
    }

    /// Seconds to wait, when the throttle refuses the try now.
    var retryAfter: Int? { throttle.retryAfter(checked, now: now) }

    func failed() { throttle.recordFailure(counted, now: now) }

    /// The right password: the account's count starts again; the address's stays.
    func succeeded() { throttle.recordSuccess(counted.filter { $0.hasPrefix("account:") }) }
}
