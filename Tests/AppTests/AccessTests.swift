import Accounts
import FastCGI
import Logging
import Storage
import TestSupport
import Testing
import Web
@testable import App

/// Who may use which route, on the router the worker serves, with keys stored in a real database.
@Suite struct AccessTests {
    /// Every route and who may use it. A route added to the worker fails `everyRouteIsListedHere`
    /// until it is listed here, with the role it needs; the walk below then checks that it is enforced.
    static let expected: [String: Access] = [
        "GET /healthz": .everyone,
        "GET /api/v1/openapi.json": .atLeast(.viewer),
        "GET /api/v1/coupons": .atLeast(.viewer),
        "GET /api/v1/coupons/{out_coupon_id}": .atLeast(.viewer),
        "POST /api/v1/coupons": .atLeast(.editor),
        "POST /api/v1/coupons/bulk": .atLeast(.editor),
        "POST /api/v1/coupons/{out_coupon_id}/sync": .atLeast(.editor),
        "PUT /api/v1/coupons/{out_coupon_id}": .atLeast(.editor),
        "POST /api/v1/coupons/{out_coupon_id}/status": .atLeast(.editor),
        "POST /api/v1/coupons/{out_coupon_id}/stock": .atLeast(.editor),
        "POST /api/v1/user-coupons": .atLeast(.editor),
        "POST /api/v1/coupons/import": .atLeast(.editor),
        "GET /api/v1/imports/{id}": .atLeast(.viewer),
        "GET /api/v1/user-coupons": .atLeast(.viewer),
        "GET /api/v1/user-coupons/{out_user_coupon_id}": .atLeast(.viewer),
        "PUT /api/v1/user-coupons/{out_user_coupon_id}": .atLeast(.editor),
        "POST /api/v1/user-coupons/{out_user_coupon_id}/status": .atLeast(.editor),
        "GET /api/v1/coupons/{out_coupon_id}/history": .atLeast(.viewer),
        "GET /api/v1/audit": .atLeast(.admin),
        "POST /admin/login": .everyone,
        "POST /admin/logout": .staff(.viewer),
        "GET /admin/login": .everyone,
        "GET /admin/language/{language}": .everyone,
        "GET /admin": .staff(.viewer),
        "GET /admin/account": .staff(.viewer),
        "POST /admin/account/password": .staff(.viewer),
        "GET /admin/keys": .staff(.admin),
        "GET /admin/audit": .staff(.admin),
        "POST /admin/keys": .staff(.admin),
        "POST /admin/keys/{name}/revoke": .staff(.admin),
        "GET /admin/people": .staff(.admin),
        "POST /admin/people": .staff(.admin),
        "POST /admin/people/{name}/role": .staff(.admin),
        "POST /admin/people/{name}/disable": .staff(.admin),
        "POST /admin/people/{name}/enable": .staff(.admin),
        "POST /admin/people/{name}/password": .staff(.admin),
        "GET /admin/uploads": .staff(.editor),
        "GET /admin/failures": .staff(.viewer),
        "POST /admin/coupons/bulk": .staff(.editor),
        "GET /admin/uploads/template": .staff(.editor),
        "POST /admin/uploads": .staff(.editor),
        "GET /admin/uploads/{id}": .staff(.viewer),
        "GET /admin/coupons": .staff(.viewer),
        "GET /admin/coupons/{out_coupon_id}": .staff(.viewer),
        "GET /admin/new-coupon": .staff(.editor),
        "POST /admin/coupons": .staff(.editor),
        "POST /admin/coupons/{out_coupon_id}/refresh": .staff(.editor),
        "POST /admin/coupons/{out_coupon_id}/sync": .staff(.editor),
        "GET /admin/coupons/{out_coupon_id}/edit": .staff(.editor),
        "POST /admin/coupons/{out_coupon_id}/edit": .staff(.editor),
        "POST /admin/coupons/{out_coupon_id}/status": .staff(.editor),
        "POST /admin/coupons/{out_coupon_id}/stock": .staff(.editor),
        "POST /admin/imports": .staff(.editor),
        "GET /admin/imports/{id}": .staff(.viewer),
        "GET /admin/user-coupons": .staff(.viewer),
        "POST /admin/user-coupons": .staff(.editor),
        "POST /admin/user-coupons/{out_user_coupon_id}/status": .staff(.editor),
        "POST /admin/user-coupons/{out_user_coupon_id}/use-time": .staff(.editor),
    ]

    let directory: TemporaryDirectory
    let database: AppDatabase
    let router: Router
    /// A live key for each role.
    var keys: [Role: String] = [:]
    /// A staff session for each role: its id (the cookie's value) and CSRF token.
    var sessions: [Role: (id: String, csrf: String)] = [:]
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-access")
        database = try AppDatabase(path: directory.path("coupons.sqlite"))
        for role in Role.allCases {
            let (key, hash) = APIKey.generate()
            try database.accounts.addAPIKey(name: "\(role.rawValue)-tool", role: role, keyHash: hash, actor: "test", now: 1)
            keys[role] = key
            try database.accounts.addUser(name: "\(role.rawValue)-person", role: role, passwordHash: "unused", actor: "test", now: 1)
            let (id, csrf) = (randomToken(), randomToken())
            try database.accounts.startSession(idHash: sha256Hex(id), userName: "\(role.rawValue)-person", csrfToken: csrf, replacing: nil, now: 1_700_000_000,
                                      idleSince: 1_700_000_000 - 3600, madeBefore: 1_700_000_000 - 86400)
            sessions[role] = (id, csrf)
        }
        router = Application.makeRouter(database: database, now: { 1_700_000_000 })
    }

    func send(_ method: String, _ path: String, query: String = "", authorization: String? = nil, cookie: String? = nil, csrf: String? = nil) async throws -> Response {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        if let cookie { headers.add(name: "Cookie", value: "other=1; \(StaffSessions.cookieName)=\(cookie)") }
        if let csrf { headers.add(name: "X-CSRF-Token", value: csrf) }
        return try await router.respond(to: Request(method: method, path: path, query: query, headers: headers, requestID: "r1"), logger: logger)
    }

    @Test func everyRouteIsListedHere() {
        defer { directory.remove() }
        let registered = Dictionary(uniqueKeysWithValues: router.registeredRoutes.map { ("\($0.method) \($0.pattern)", $0.access) })
        #expect(registered == Self.expected)
    }

    @Test func everyRouteButTheOpenOnesRefusesAStrangerAndTooSmallARole() async throws {
        defer { directory.remove() }
        // Logging out ends the sessions the walk uses, so it comes last.
        let routes = router.registeredRoutes.filter { $0.pattern != "/admin/logout" } + router.registeredRoutes.filter { $0.pattern == "/admin/logout" }
        for route in routes {
            let path = route.pattern.replacing(/\{[a-z_]+\}/, with: "some-coupon")
            let name = "\(route.method) \(route.pattern)"
            let stranger = try await send(route.method, path, authorization: nil)
            if case .staff(let needed) = route.access {
                #expect(stranger.status == 303, "\(name) without a login")
                #expect(stranger.headers["Location"] == "/admin/login?next=" + path, "\(name) without a login")
                for role in Role.allCases {
                    let (id, csrf) = sessions[role]!
                    let answer = try await send(route.method, path, cookie: id, csrf: route.method == "GET" ? nil : csrf)
                    #expect((answer.status == 403) == !role.allows(needed), "\(name) with a \(role) login: \(answer.status)")
                    #expect(answer.status != 303 || answer.headers["Location"]?.hasPrefix("/admin/login?") != true, "\(name) with a \(role) login")
                }
                continue
            }
            guard case .atLeast(let needed) = route.access else {
                #expect(stranger.status != 401 && stranger.status != 403, "\(name) is open")
                continue
            }
            #expect(stranger.status == 401, "\(name) without a key")
            #expect(stranger.headers["WWW-Authenticate"] == "Bearer", "\(name) without a key")
            for role in Role.allCases {
                let answer = try await send(route.method, path, authorization: "Bearer \(keys[role]!)")
                if role.allows(needed) {
                    #expect(answer.status != 401 && answer.status != 403, "\(name) with a \(role) key: \(answer.status)")
                } else {
                    #expect(answer.status == 403, "\(name) with a \(role) key")
                }
            }
        }
    }

    @Test func refreshingFromWeChatNeedsEditorThoughReadingNeedsViewer() async throws {
        defer { directory.remove() }
        let viewer = try await send("GET", "/api/v1/coupons/c1", query: "refresh=true", authorization: "Bearer \(keys[.viewer]!)")
        #expect(viewer.status == 403)
        let editor = try await send("GET", "/api/v1/coupons/c1", query: "refresh=true", authorization: "Bearer \(keys[.editor]!)")
        #expect(editor.status == 409, "past the role check: WeChat is not configured here")
    }

    @Test(arguments: ["Bearer cak_" + String(repeating: "A", count: 43), "Bearer nonsense", "Basic YWRtaW46YWRtaW4=", "Bearer", ""])
    func credentialsThatAreNotAKeyOfOursAre401(authorization: String) async throws {
        defer { directory.remove() }
        let answer = try await send("GET", "/api/v1/coupons", authorization: authorization)
        #expect(answer.status == 401)
        #expect(answer.headers["WWW-Authenticate"] == #"Bearer error="invalid_token""#)
    }

    @Test func anAddressThatKeepsSendingBadKeysIsSlowedThenRefused() async throws {
        defer { directory.remove() }
        func attempt(_ authorization: String, from address: String) async throws -> Response {
            let headers = HTTPHeaders([("Authorization", authorization)])
            return try await router.respond(to: Request(method: "GET", path: "/api/v1/coupons", headers: headers, remoteAddress: address), logger: logger)
        }
        let guess = "Bearer cak_" + String(repeating: "x", count: 43)
        for _ in 1...3 { #expect(try await attempt(guess, from: "203.0.113.9").status == 401) }
        let refused = try await attempt(guess, from: "203.0.113.9")
        #expect(refused.status == 429, "three tries, then a block")
        #expect(refused.headers["Retry-After"] == "2")
        // While blocked, not even a good key is looked at from there; other addresses are not touched.
        #expect(try await attempt("Bearer \(keys[.viewer]!)", from: "203.0.113.9").status == 429)
        #expect(try await attempt("Bearer \(keys[.viewer]!)", from: "198.51.100.7").status == 200)
    }

    @Test func aRevokedKeyStopsWorkingAtOnce() async throws {
        defer { directory.remove() }
        let key = "Bearer \(keys[.editor]!)"
        #expect(try await send("GET", "/api/v1/coupons", authorization: key).status == 200)
        #expect(try database.accounts.revokeAPIKey(name: "editor-tool", actor: "test", now: 2))
        #expect(try await send("GET", "/api/v1/coupons", authorization: key).status == 401)
    }

    @Test func aKeysUseIsNoted() async throws {
        defer { directory.remove() }
        _ = try await send("GET", "/api/v1/coupons", authorization: "Bearer \(keys[.viewer]!)")
        #expect(try database.accounts.apiKeys().first { $0.name == "viewer-tool" }?.lastUsedAt == 1_700_000_000)
        #expect(try database.accounts.apiKeys().first { $0.name == "admin-tool" }?.lastUsedAt == nil)
    }
}
