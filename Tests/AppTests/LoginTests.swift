import Accounts
import FastCGI
import Logging
@testable import Storage
import Synchronization
import TestSupport
import Testing
import Web
@testable import App

/// Staff logins on the worker's router with a real database: sessions, cookies, CSRF, expiry, throttling.
@Suite struct LoginTests {
    static let password = "correct horse battery staple"
    let directory: TemporaryDirectory
    let database: AppDatabase
    let clock = TestClock(1_700_000_000)
    let router: Router
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-login")
        database = try AppDatabase(path: directory.path("coupons.sqlite"))
        try database.accounts.addUser(name: "li.wei", role: .editor, passwordHash: try PasswordHash(password: Self.password).stored, actor: "test", now: 1)
        let clock = clock
        router = Application.makeRouter(database: database, sessionIdleTimeout: 600, sessionLifetime: 3600, now: { clock.now })
    }

    func advance(_ seconds: Int) { clock.advance(seconds) }

    func login(
        _ name: String, _ password: String, next: String = "", cookie: String? = nil, from address: String = "192.0.2.1", https: Bool = false,
        mountPath: String = ""
    ) async throws -> Response {
        var headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")])
        if let cookie { headers.add(name: "Cookie", value: "\(StaffSessions.cookieName)=\(cookie)") }
        let form = "name=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))" + (next.isEmpty ? "" : "&next=\(next)")
        return try await router.respond(
            to: Request(method: "POST", path: "/admin/login", mountPath: mountPath, headers: headers, remoteAddress: address, isHTTPS: https,
                        body: Array(form.utf8)), logger: logger)
    }

    func logout(cookie: String, csrf: String?) async throws -> Response {
        let headers = HTTPHeaders([("Cookie", "\(StaffSessions.cookieName)=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")])
        let body = csrf.map { "csrf_token=\($0)" } ?? ""
        return try await router.respond(to: Request(method: "POST", path: "/admin/logout", headers: headers, body: Array(body.utf8)), logger: logger)
    }

    /// The session id a login's cookie carries.
    func sessionID(_ response: Response) throws -> String {
        let cookie = try #require(response.headers["Set-Cookie"])
        return String(try #require(cookie.split(separator: ";").first?.split(separator: "=").last))
    }

    func current(_ id: String) throws -> StaffSessions.Current? {
        let headers = HTTPHeaders([("Cookie", "\(StaffSessions.cookieName)=\(id)")])
        let clock = clock
        return try StaffSessions(database: database, idleTimeout: 600, lifetime: 3600, now: { clock.now })
            .current(for: Request(method: "GET", path: "/", headers: headers))
    }

    @Test func theRightPasswordGetsASessionCookieAndTheWrongOneNothing() async throws {
        defer { directory.remove() }
        let wrong = try await login("li.wei", "not the password at all")
        #expect(wrong.status == 401 && wrong.headers["Set-Cookie"] == nil)
        #expect(try await login("nobody", Self.password).status == 401)

        let right = try await login("li.wei", Self.password, next: "/admin/coupons%3Fpage%3D2")
        #expect(right.status == 303)
        #expect(right.headers["Location"] == "/admin/coupons?page=2")
        let cookie = try #require(right.headers["Set-Cookie"])
        #expect(cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Lax"), "no Secure over plain HTTP")
        let id = try sessionID(right)
        #expect(id.count == 43)
        #expect(try current(id)?.principal == Principal(name: "li.wei", role: .editor))
        #expect(try await login("li.wei", Self.password, https: true).headers["Set-Cookie"]?.hasSuffix("; Secure") == true)

        let actions = try database.audit.auditEntries(limit: 10).entries.map { "\($0.actor) \($0.action) \($0.target)" }
        #expect(actions == ["li.wei user.login li.wei", "li.wei user.login li.wei", "anonymous user.login_failed nobody", "anonymous user.login_failed li.wei", "test user.add li.wei"])
        // The session id is stored only as its hash.
        let stored = try await database.writer.read { db in try String.fetchAll(db, sql: "SELECT id_hash || csrf_token FROM staff_session") }
        #expect(stored.allSatisfy { !$0.contains(id) })
    }

    @Test func aLoginAlwaysGetsANewSessionIDAndTheOldOneStopsWorking() async throws {
        defer { directory.remove() }
        let first = try sessionID(try await login("li.wei", Self.password))
        // A cookie planted before the login (session fixation) is not the one after it.
        let planted = randomToken()
        let second = try sessionID(try await login("li.wei", Self.password, cookie: planted))
        #expect(second != planted)
        #expect(try current(planted) == nil)
        // Logging in again with a live session replaces it.
        let third = try sessionID(try await login("li.wei", Self.password, cookie: second))
        #expect(third != second && third != first)
        #expect(try current(second) == nil && current(third) != nil && current(first) != nil)
    }

    @Test func loggingOutNeedsTheSessionsCSRFToken() async throws {
        defer { directory.remove() }
        let id = try sessionID(try await login("li.wei", Self.password))
        let csrf = try #require(try current(id)?.csrfToken)
        #expect(try await logout(cookie: id, csrf: nil).status == 403)
        #expect(try await logout(cookie: id, csrf: randomToken()).status == 403)
        #expect(try current(id) != nil, "a refused form changes nothing")
        let out = try await logout(cookie: id, csrf: csrf)
        #expect(out.status == 303 && out.headers["Location"] == "/admin/login")
        #expect(out.headers["Set-Cookie"]?.contains("Max-Age=0") == true)
        #expect(try current(id) == nil)
        #expect(try database.audit.auditEntries(limit: 1).entries.first?.action == "user.logout")
    }

    @Test func sessionsEndWhenIdleWhenTooOldAndWhenTheAccountIsDisabled() async throws {
        defer { directory.remove() }
        let id = try sessionID(try await login("li.wei", Self.password))
        advance(590)
        #expect(try current(id) != nil, "used within the idle timeout")
        for _ in 0..<5 { advance(590); #expect(try current(id) != nil) }
        advance(590)
        #expect(try current(id) == nil, "3,540 s after the login plus 590 more: past the lifetime of 3,600 s")

        let idle = try sessionID(try await login("li.wei", Self.password))
        advance(601)
        #expect(try current(idle) == nil, "unused for longer than the idle timeout")

        let live = try sessionID(try await login("li.wei", Self.password))
        #expect(try database.accounts.disableUser(name: "li.wei", actor: "test", now: 2))
        #expect(try current(live) == nil)
        #expect(try await login("li.wei", Self.password).status == 401, "a disabled account cannot log in")
    }

    @Test func threeWrongPasswordsThenTheNextTryIsRefusedUntilTheBlockPasses() async throws {
        defer { directory.remove() }
        for index in 1...3 { #expect(try await login("li.wei", "wrong password \(index)").status == 401) }
        let refused = try await login("li.wei", Self.password)
        #expect(refused.status == 429 && refused.headers["Retry-After"] == "2", "a one-second block, to the end of the second it began in")
        advance(1)
        #expect(try await login("li.wei", Self.password).status == 429)
        advance(1)
        #expect(try await login("li.wei", Self.password).status == 303)
    }

    /// Failing on purpose from one address does not lock the account's owner out from another.
    @Test func failuresFromOneAddressDoNotLockTheAccountOutElsewhere() async throws {
        defer { directory.remove() }
        for index in 1...5 { _ = try await login("li.wei", "wrong password \(index)", from: "192.0.2.66") }
        #expect(try await login("li.wei", Self.password, from: "192.0.2.66").status == 429)
        #expect(try await login("li.wei", Self.password, from: "198.51.100.1").status == 303)
    }

    /// One guess each from many addresses: past three, the account refuses each address that has already
    /// failed for it, though none of them failed three times.
    @Test func guessingOneAccountFromManyAddressesIsSlowed() async throws {
        defer { directory.remove() }
        for index in 1...3 { #expect(try await login("li.wei", "guess \(index)", from: "192.0.2.\(index)").status == 401) }
        for index in 1...3 { #expect(try await login("li.wei", "guess again", from: "192.0.2.\(index)").status == 429) }
        #expect(try await login("wang.fang", "a first try", from: "192.0.2.1").status == 401, "other accounts from there are not blocked")
        #expect(try await login("li.wei", Self.password, from: "198.51.100.1").status == 303)
    }

    /// Mounted under a prefix in a merchant's site, the cookie goes to CouponAdmin's pages only.
    @Test func underAPrefixTheCookiesPathIsThePrefix() async throws {
        defer { directory.remove() }
        let response = try await login("li.wei", Self.password, mountPath: "/coupon-admin")
        #expect(try #require(response.headers["Set-Cookie"]).hasSuffix("; Path=/coupon-admin; HttpOnly; SameSite=Lax"))
    }

    /// A session that can no longer be used is deleted at the next login, used again or not.
    @Test func expiredSessionsAreDeletedAtTheNextLogin() async throws {
        defer { directory.remove() }
        func rows() throws -> Int { try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM staff_session") ?? 0 } }
        _ = try sessionID(try await login("li.wei", Self.password, from: "192.0.2.1"))
        _ = try sessionID(try await login("li.wei", Self.password, from: "192.0.2.2"))
        #expect(try rows() == 2)
        advance(601)  // past the idle timeout of 600 s
        _ = try sessionID(try await login("li.wei", Self.password, from: "192.0.2.3"))
        #expect(try rows() == 1, "only the new one is left")
    }

    @Test func anUnknownNameCostsTheSameScryptWorkAsAWrongPassword() async throws {
        defer { directory.remove() }
        func fastest(_ name: String) async throws -> Duration {
            var best = Duration.seconds(60)
            for index in 0..<3 {
                let started = ContinuousClock.now
                #expect(try await login(name, "wrong password", from: "192.0.2.\(index + 10)").status == 401)
                best = min(best, ContinuousClock.now - started)
            }
            return best
        }
        _ = try await login("nobody", "warm up", from: "192.0.2.99")  // the unknown names' hash is made once, at the first
        let known = try await fastest("li.wei"), unknown = try await fastest("nobody")
        // A check that skipped scrypt for unknown names would answer them in microseconds.
        #expect(unknown * 2 > known, "unknown \(unknown), known \(known)")
    }

    @Test func aPasswordHashedWithOlderParametersIsRehashedAtLogin() async throws {
        defer { directory.remove() }
        let weak = try PasswordHash(password: Self.password, parameters: .init(rounds: 1 << 10, blockSize: 8, parallelism: 1))
        try database.accounts.addUser(name: "old.timer", role: .viewer, passwordHash: weak.stored, actor: "test", now: 1)
        #expect(try await login("old.timer", Self.password).status == 303)
        let stored = try PasswordHash(stored: try #require(try database.accounts.user(named: "old.timer")).passwordHash)
        #expect(stored.parameters == .standard && stored.verifies(Self.password))
    }

    @Test(arguments: ["//evil.example/x", "https://evil.example/", "/\\evil.example", "admin/coupons"])
    func aLoginNeverSendsElsewhere(next: String) async throws {
        defer { directory.remove() }
        let response = try await login("li.wei", Self.password, next: next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        #expect(response.headers["Location"] == "/admin/coupons")
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let seconds: Mutex<Int>
    init(_ start: Int) { seconds = Mutex(start) }
    var now: Int { seconds.withLock { $0 } }
    func advance(_ by: Int) { seconds.withLock { $0 += by } }
}
