import FastCGI
import Foundation
import Logging
import Testing
import Accounts
import Storage
import TestSupport
@testable import Web

@Suite struct RouterTests {
    let logger = Logger(label: "test")

    func makeRouter(principal: Principal? = Principal(name: "tester", role: .editor)) -> Router {
        let authenticator = FixedPrincipal(principal: principal)
        var router = Router()
        router.group { everyone in
            everyone.get("/healthz") { _ in Response(status: 200, contentType: "application/json", body: #"{"status":"ok"}"#) }
            everyone.get("/teapot") { _ in throw HTTPError(status: 418, detail: "short and stout") }
            everyone.get("/broken") { _ in throw CocoaError(.fileNoSuchFile) }
        }
        router.group(APIKeyAuthentication(authenticator, role: .viewer)) { viewers in
            viewers.get("/api/v1/coupons/{id}") { context in
                Response(status: 200, contentType: "text/plain", body: "coupon \(context.parameters["id"]!) for \(context.principal?.name ?? "?")")
            }
        }
        router.group(APIKeyAuthentication(authenticator, role: .editor)) { editors in
            editors.post("/api/v1/coupons") { _ in Response(status: 201) }
            editors.post("/api/v1/coupons/bulk") { _ in Response(status: 200, contentType: "text/plain", body: "bulk") }
        }
        return router
    }

    func problem(_ response: Response) throws -> Problem {
        #expect(response.headers["Content-Type"] == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: Data(response.body))
    }

    @Test func healthz() async throws {
        let response = try await makeRouter().respond(to: Request(method: "GET", path: "/healthz"), logger: logger)
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"status":"ok"}"#)
    }

    @Test func parametersArePercentDecodedWithinOneSegment() async throws {
        let request = Request(method: "GET", path: "/api/v1/coupons/a%2Fb%20c")
        let response = try await makeRouter().respond(to: request, logger: logger)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "coupon a/b c for tester")
    }

    @Test func brokenEscapesAre400() async throws {
        for path in ["/api/v1/coupons/%zz", "/api/v1/coupons/%e4%b8", "/api/v1/coupons/%"] {
            let response = try await makeRouter().respond(to: Request(method: "GET", path: path), logger: logger)
            #expect(response.status == 400, "\(path)")
        }
    }

    @Test func unknownPathIs404Problem() async throws {
        let request = Request(method: "GET", path: "/nope", mountPath: "/coupon-admin", requestID: "r1")
        let response = try await makeRouter().respond(to: request, logger: logger)
        #expect(response.status == 404)
        let body = try problem(response)
        #expect(body.status == 404)
        #expect(body.instance == "/coupon-admin/nope")
        #expect(body.requestID == "r1")
    }

    @Test func emptySegmentsDoNotMatchParameters() async throws {
        for path in ["/api/v1/coupons/", "/api/v1/coupons//x", "//healthz"] {
            let response = try await makeRouter().respond(to: Request(method: "GET", path: path), logger: logger)
            #expect(response.status == 404 || response.status == 308, "\(path)")
            #expect(response.status != 200, "\(path)")
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let response = try await makeRouter().respond(to: Request(method: "DELETE", path: "/healthz"), logger: logger)
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD")
        #expect(try problem(response).status == 405)

        let post = try await makeRouter().respond(to: Request(method: "GET", path: "/api/v1/coupons"), logger: logger)
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "POST")
    }

    @Test func headIsAnsweredByGet() async throws {
        let response = try await makeRouter().respond(to: Request(method: "HEAD", path: "/healthz"), logger: logger)
        #expect(response.status == 200)
    }

    @Test func trailingSlashRedirectsUnderTheMountPoint() async throws {
        let request = Request(method: "GET", path: "/healthz/", mountPath: "/coupon-admin", query: "a=1")
        let response = try await makeRouter().respond(to: request, logger: logger)
        #expect(response.status == 308)
        #expect(response.headers["Location"] == "/coupon-admin/healthz?a=1")

        let atRoot = try await makeRouter().respond(to: Request(method: "GET", path: "/healthz/"), logger: logger)
        #expect(atRoot.headers["Location"] == "/healthz")
    }

    @Test func httpErrorsBecomeProblems() async throws {
        let response = try await makeRouter().respond(to: Request(method: "GET", path: "/teapot"), logger: logger)
        #expect(response.status == 418)
        #expect(try problem(response).detail == "short and stout")
    }

    @Test func otherErrorsAreLeftToTheServer() async throws {
        await #expect(throws: CocoaError.self) {
            try await makeRouter().respond(to: Request(method: "GET", path: "/broken"), logger: logger)
        }
    }

    @Test func aRouteThatNeedsARoleAsksTheAuthenticatorFirst() async throws {
        let request = Request(method: "GET", path: "/api/v1/coupons/c1")
        let anonymous = try await makeRouter(principal: nil).respond(to: request, logger: logger)
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["WWW-Authenticate"] == "Bearer")
        #expect(try problem(anonymous).status == 401)

        let viewer = Principal(name: "reader", role: .viewer)
        #expect(try await makeRouter(principal: viewer).respond(to: request, logger: logger).body == Array("coupon c1 for reader".utf8))
        let refused = try await makeRouter(principal: viewer).respond(to: Request(method: "POST", path: "/api/v1/coupons"), logger: logger)
        #expect(refused.status == 403)
        #expect(try problem(refused).detail == "This needs the editor role; reader has viewer.")

        // Open routes never ask, and a router without an authenticator lets nobody in.
        #expect(try await makeRouter(principal: nil).respond(to: Request(method: "GET", path: "/healthz"), logger: logger).status == 200)
        var bare = Router()
        bare.group(APIKeyAuthentication(nil, role: .viewer)) { $0.get("/secret") { _ in Response(status: 200) } }
        #expect(try await bare.respond(to: Request(method: "GET", path: "/secret"), logger: logger).status == 401)
    }

    @Test func credentialsTheAuthenticatorRefusesGetItsAnswer() async throws {
        var router = Router()
        router.group(APIKeyAuthentication(Refusing(), role: .viewer)) { $0.get("/secret") { _ in Response(status: 200) } }
        let response = try await router.respond(to: Request(method: "GET", path: "/secret"), logger: logger)
        #expect(response.status == 401)
        #expect(try problem(response).detail == "not this one")
    }

    @Test func aSnapshotRouteReadsItsAnswerInTheSnapshotItsKeyWasReadIn() async throws {
        let directory = try TemporaryDirectory("ca-router")
        let database = try AppDatabase(path: directory.path("router.sqlite"))
        let hash = APIKey.generate().hash
        var router = Router()
        router.group(APIKeyAuthentication(StoresAKeyMeanwhile(database: database, hash: hash), role: .viewer)) { viewers in
            viewers.get("/keys/new", reading: database) { _, snapshot in
                .response(Response(status: 200, contentType: "text/plain", body: try snapshot.liveAPIKey(hash: hash) == nil ? "not yet" : "stored"))
            }
        }
        let response = try await router.respond(to: Request(method: "GET", path: "/keys/new"), logger: logger)
        #expect(String(decoding: response.body, as: UTF8.self) == "not yet", "the handler sees what the authenticator saw")
        #expect(try database.accounts.liveAPIKey(hash: hash) != nil, "the key was stored meanwhile")
    }

    @Test func aSnapshotRouteChecksAccessFirstAndMayAnswerOnceItsSnapshotHasEnded() async throws {
        let directory = try TemporaryDirectory("ca-router")
        let database = try AppDatabase(path: directory.path("router.sqlite"), maximumReaders: 1)
        func router(_ principal: Principal?) -> Router {
            var router = Router()
            router.group(APIKeyAuthentication(FixedPrincipal(principal: principal), role: .viewer)) { viewers in
                viewers.get("/coupons", reading: database) { context, _ in
                    .response(Response(status: 200, contentType: "text/plain", body: context.principal?.name ?? "?"))
                }
            }
            router.group(APIKeyAuthentication(FixedPrincipal(principal: principal), role: .editor)) { editors in
                editors.get("/refreshed", reading: database) { _, _ in
                    .afterwards {
                        // The only reader is free again: another thread's read does not wait for this one.
                        let read = DispatchSemaphore(value: 0)
                        Thread { _ = try? database.accounts.apiKeys(); read.signal() }.start()
                        let free = read.wait(timeout: .now() + 5) == .success
                        return Response(status: 202, contentType: "text/plain", body: free ? "reader free" : "reader held")
                    }
                }
            }
            return router
        }
        let viewer = Principal(name: "reader", role: .viewer), editor = Principal(name: "writer", role: .editor)
        for path in ["/coupons", "/refreshed"] {
            #expect(try await router(nil).respond(to: Request(method: "GET", path: path), logger: logger).status == 401)
        }
        #expect(try await router(viewer).respond(to: Request(method: "GET", path: "/coupons"), logger: logger).body == Array("reader".utf8))
        #expect(try await router(viewer).respond(to: Request(method: "HEAD", path: "/coupons"), logger: logger).status == 200)
        #expect(try await router(viewer).respond(to: Request(method: "GET", path: "/refreshed"), logger: logger).status == 403)
        let refreshed = try await router(editor).respond(to: Request(method: "GET", path: "/refreshed"), logger: logger)
        #expect(refreshed.status == 202 && refreshed.body == Array("reader free".utf8))
    }

    @Test func registeredRoutesListsEveryRouteWithTheAccessOfItsGroup() {
        let routes = Dictionary(uniqueKeysWithValues: makeRouter().registeredRoutes.map { ("\($0.method) \($0.pattern)", $0.access) })
        #expect(routes == [
            "GET /healthz": .everyone, "GET /teapot": .everyone, "GET /broken": .everyone, "GET /api/v1/coupons/{id}": .atLeast(.viewer),
            "POST /api/v1/coupons": .atLeast(.editor), "POST /api/v1/coupons/bulk": .atLeast(.editor),
        ])
    }

    @Test func healthzIsOkUntilWeChatsCallsArePaused() async throws {
        let directory = try TemporaryDirectory("ca-health")
        defer { directory.remove() }
        var router = Router()
        HealthRoutes(services: WebServices(database: try AppDatabase(path: directory.path("health.sqlite")), now: { 1 })).addRoutes(to: &router)
        let response = try await router.respond(to: Request(method: "GET", path: "/healthz"), logger: logger)
        #expect(response.status == 200 && response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"status":"ok"}"#)
        #expect(router.registeredRoutes.map(\.pattern) == ["/healthz"], "no /metrics without its text")
    }

    @Test(arguments: [
        ("/", [String]()), ("", []), ("/healthz", ["healthz"]), ("/healthz/", ["healthz", ""]), ("//healthz", ["", "healthz"]),
        ("/a/b%2Fc/", ["a", "b/c", ""]), ("/%E4%BC%98%E6%83%A0", ["优惠"]), ("/a//b", ["a", "", "b"]),
    ])
    func pathSegments(path: String, expected: [String]) {
        #expect(Router.decodedSegments(of: path) == expected)
    }
}

/// Names the same principal for every request (nil: as if no credentials came).
struct FixedPrincipal: Authenticator {
    let principal: Principal?
    func principal(for request: Request) throws -> Principal? { principal }
}

/// Names a viewer from within the request's snapshot, having found no key with `hash`; then stores
/// one, as another process might while the snapshot is open.
struct StoresAKeyMeanwhile: Authenticator {
    let database: AppDatabase
    let hash: String

    func principal(for request: Request) throws -> Principal? {
        Issue.record("asked outside the snapshot")
        return nil
    }

    func principal(for request: Request, in snapshot: any ReadSnapshot) throws -> Principal? {
        #expect(try snapshot.liveAPIKey(hash: hash) == nil)
        try database.accounts.addAPIKey(name: "meanwhile", role: .viewer, keyHash: hash, actor: "test", now: 1)
        return Principal(name: "reader", role: .viewer)
    }
}

/// Refuses every request's credentials.
struct Refusing: Authenticator {
    func principal(for request: Request) throws -> Principal? { throw HTTPError(status: 401, detail: "not this one") }
}
