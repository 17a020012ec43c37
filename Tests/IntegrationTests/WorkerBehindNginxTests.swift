import Foundation
import Synchronization
import TestSupport
import Testing
import Web
#if canImport(Glibc)
import Glibc
#endif

/// nginx and the worker binary as deployed, on loopback.
@Suite(.serialized) struct WorkerBehindNginxTests {
    @Test func healthzThroughNginx() throws {
        let stack = try Stack()
        let response = try stack.get("/healthz")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(try response.json()["status"] as? String == "ok")
        // nginx's $request_id reaches the worker and comes back.
        let requestID = try #require(response.headers["x-request-id"])
        #expect(requestID.count == 32 && requestID.allSatisfy(\.isHexDigit))
        #expect(try stack.workerLogLines(containing: "request_id=\(requestID)").count == 1)
        // Security headers come from nginx on every answer.
        #expect(response.headers["x-content-type-options"] == "nosniff")
        #expect(response.headers["content-security-policy"]?.contains("script-src 'self'") == true)
    }

    @Test func oneAccessLogLinePerRequest() throws {
        let stack = try Stack()
        let response = try stack.get("/healthz")
        let id = try #require(response.headers["x-request-id"])
        let lines = try stack.workerLogLines(containing: "request_id=\(id)")
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        for part in ["method=GET", "path=/healthz", "status=200", "duration_ms="] {
            #expect(line.contains(part), "\(part) missing from \(line)")
        }
    }

    @Test func unknownPathsAre404AndWrongMethods405() throws {
        let stack = try Stack()
        let missing = try stack.get("/no/such/page")
        #expect(missing.status == 404)
        #expect(missing.headers["content-type"] == "application/problem+json")
        #expect(try missing.json()["instance"] as? String == "/no/such/page")
        #expect(try missing.json()["request_id"] as? String == missing.headers["x-request-id"])

        let wrongMethod = try stack.request("DELETE", "/healthz")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD")
        #expect(wrongMethod.headers["content-type"] == "application/problem+json")
    }

    @Test func mountedUnderAPrefixInAnExistingSite() throws {
        let stack = try Stack()
        let health = try stack.get("/coupon-admin/healthz", port: stack.prefixPort)
        #expect(health.status == 200)
        #expect(try health.json()["status"] as? String == "ok")

        let redirect = try stack.get("/coupon-admin/healthz/?probe=1", port: stack.prefixPort)
        #expect(redirect.status == 308)
        #expect(redirect.headers["location"] == "/coupon-admin/healthz?probe=1")

        let bare = try stack.get("/coupon-admin", port: stack.prefixPort)
        #expect(bare.status == 308)
        #expect(bare.headers["location"] == "/coupon-admin/")

        let missing = try stack.get("/coupon-admin/nope", port: stack.prefixPort)
        #expect(missing.status == 404)
        #expect(try missing.json()["instance"] as? String == "/coupon-admin/nope")
        #expect(missing.headers["x-frame-options"] == "DENY")

        // The merchant's own pages are untouched.
        let site = try stack.get("/", port: stack.prefixPort)
        #expect(site.text == "The merchant's own site.\n")
        // At the root the same worker writes unprefixed locations.
        #expect(try stack.get("/healthz/").headers["location"] == "/healthz")
    }

    @Test func staticFilesComeFromNginxNotTheWorker() throws {
        let stack = try Stack()
        for (port, path) in [(stack.port, "/static/robots.txt"), (stack.prefixPort, "/coupon-admin/static/robots.txt")] {
            let response = try stack.get(path, port: port)
            #expect(response.status == 200)
            #expect(response.text.contains("Disallow"))
            // Under the prefix they carry the site's own headers, which an add_header there would cancel.
            #expect(response.headers[port == stack.port ? "x-content-type-options" : "strict-transport-security"] != nil)
        }
        // The worker logs in order: once a later request's line is there, any robots.txt line would be too.
        let later = try #require(try stack.get("/healthz").headers["x-request-id"])
        _ = try stack.workerLogLines(containing: later)
        #expect(!stack.workerLog.contains("robots.txt"))
    }

    @Test func oversizeBodiesAre413FromNginxAndFromTheWorker() throws {
        let stack = try Stack()
        let tooBig = [UInt8](repeating: 0x7B, count: 1_048_577)
        let fromNginx = try stack.request("POST", "/healthz", headers: ["Content-Type": "application/json"], body: tooBig)
        #expect(fromNginx.status == 413)
        #expect(fromNginx.headers["content-type"] == "application/problem+json")
        #expect(try fromNginx.json()["status"] as? Int == 413)
        let later = try #require(try stack.get("/healthz").headers["x-request-id"])
        _ = try stack.workerLogLines(containing: later)
        #expect(!stack.workerLog.contains("status=413"), "nginx refused it; the worker never saw it")

        // An nginx that lets more through than the worker takes: the worker refuses on its own.
        let lenient = try Stack(workerArguments: ["--max-body-bytes", "1000"], nginxMaxBodyBytes: 1_048_576)
        let fromWorker = try lenient.request("POST", "/healthz", body: [UInt8](repeating: 0x41, count: 1001))
        #expect(fromWorker.status == 413)
        #expect(try fromWorker.json()["detail"] as? String == "The request body is larger than the 1000 bytes this server accepts.")
        #expect(try lenient.workerLogLines(containing: "status=413").count == 1)
        // A body far larger than the socket's buffers, which the worker refuses unread: its connection
        // must linger until nginx has sent it all, or nginx fails to send it and answers 502.
        let unread = try lenient.request("POST", "/healthz", body: [UInt8](repeating: 0x41, count: 1_000_000))
        #expect(unread.status == 413)
    }

    /// Requests nginx cannot read, and a static file that is not there: problem+json with the security
    /// headers, as every other error; also when the worker is down meanwhile.
    @Test func nginxsOwnRefusalsAreProblemsToo() throws {
        let stack = try Stack()
        func raw(_ text: String) throws -> HTTPResponse {
            let socket = try TestSocket(port: stack.port)
            try socket.write(Array(text.utf8))
            return HTTPClient.parse(try socket.readToEnd())
        }
        let refusals = [
            (400, try raw("GET /api/v1/coupons HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n")),
            (400, try raw("NOT HTTP AT ALL\r\n\r\n")),
            (400, try raw("GET / HTTP/1.1\r\nHost: a\r\nCookie: \(String(repeating: "a", count: 20_000))\r\n\r\n")),
            (414, try raw("GET /\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\nHost: a\r\n\r\n")),
            (505, try raw("GET / HTTP/9.9\r\nHost: a\r\n\r\n")),
            (501, try raw("POST /api/v1/coupons HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")),
            (404, try stack.get("/static/not-there.css", authorized: false)),
        ]
        for (status, response) in refusals {
            #expect(response.status == status)
            #expect(response.headers["content-type"] == "application/problem+json", "\(status): \(response.text)")
            #expect(try response.json()["status"] as? Int == status)
            #expect(response.headers["x-content-type-options"] == "nosniff")
        }
        #expect(try stack.stopWorker().status == 0)
        let missing = try stack.get("/static/not-there.css", authorized: false)
        #expect(missing.status == 503)
        #expect(missing.headers["content-type"] == "application/problem+json")
    }

    /// Mounted in a merchant's site, CouponAdmin's answers carry the site's own headers (its HSTS here)
    /// and CouponAdmin's security headers, each once; at the root of its own server block, each once too.
    @Test func underAPrefixTheSitesHeadersAreKeptAndCouponAdminsAdded() throws {
        let stack = try Stack()
        func head(_ path: String, port: UInt16) throws -> [String] {
            let socket = try TestSocket(port: port)
            try socket.write(Array("GET \(path) HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
            let text = String(decoding: try socket.readToEnd(), as: UTF8.self)
            return text.components(separatedBy: "\r\n\r\n").first?.components(separatedBy: "\r\n").map { $0.lowercased() } ?? []
        }
        func count(_ name: String, in lines: [String]) -> Int { lines.filter { $0.hasPrefix(name.lowercased() + ":") }.count }

        for path in ["/coupon-admin/healthz", "/coupon-admin/admin/login", "/coupon-admin/nope"] {
            let lines = try head(path, port: stack.prefixPort)
            #expect(count("Strict-Transport-Security", in: lines) == 1, "\(path): the site's HSTS is kept: \(lines)")
            for (name, _) in SecurityHeaders.fields { #expect(count(name, in: lines) == 1, "\(path): \(name) once: \(lines)") }
        }
        #expect(count("Strict-Transport-Security", in: try head("/coupon-admin/static/admin.css", port: stack.prefixPort)) == 1)
        let root = try head("/healthz", port: stack.port)
        for (name, _) in SecurityHeaders.fields { #expect(count(name, in: root) == 1, "at the root, \(name) once: \(root)") }
    }

    @Test func jsonIsCompressedForClientsThatAskForIt() throws {
        let stack = try Stack()
        for index in 1...5 {
            let created = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                            body: Array(WeChatExample.directReduction(id: "gz-\(index)").utf8))
            #expect(created.status == 202)
        }
        let plain = try stack.get("/api/v1/coupons?limit=50")
        #expect(plain.status == 200 && plain.headers["content-encoding"] == nil && plain.body.count > 1024)
        let compressed = try stack.get("/api/v1/coupons?limit=50", headers: ["Accept-Encoding": "gzip"])
        #expect(compressed.headers["content-encoding"] == "gzip")
        #expect(compressed.body.count < plain.body.count / 2, "\(compressed.body.count) of \(plain.body.count) bytes")
        #expect(compressed.body.starts(with: [0x1F, 0x8B]), "a gzip stream")
    }

    /// `RATE_LIMIT_ZONE=`: past the burst, nginx answers 429 problems itself, at the root and under the prefix.
    @Test func anOptionalRateLimitAnswers429ProblemsPastItsBurst() throws {
        let stack = try Stack(nginxValues: ["RATE_LIMIT_ZONE=coupon_admin"])
        for (port, path) in [(stack.port, "/healthz"), (stack.prefixPort, "/coupon-admin/healthz")] {
            let answers = try (0..<60).map { _ in try stack.get(path, port: port, authorized: false) }
            #expect(answers.contains { $0.status == 200 })
            let refused = try #require(answers.first { $0.status == 429 }, "60 requests at once are more than 10 a second and a burst of 20")
            let status = try refused.json()["status"] as? Int
            #expect(refused.headers["content-type"] == "application/problem+json" && status == 429)
            usleep(2_100_000)  // the zone is shared: let it refill before the next port
        }
        let unlimited = try Stack()
        #expect(try (0..<60).map { _ in try unlimited.get("/healthz", authorized: false).status }.allSatisfy { $0 == 200 }, "off unless asked for")
    }

    /// The pages name their stylesheet and script under the version, which browsers may keep for a year.
    @Test func thePagesStaticFilesAreVersionedAndKeptLong() throws {
        let stack = try Stack()
        for (port, root) in [(stack.port, ""), (stack.prefixPort, "/coupon-admin")] {
            let page = try stack.get(root + "/admin/login", port: port, authorized: false)
            let stylesheet = "\(root)/static/v\(Version.current)/admin.css"
            #expect(page.text.contains("href=\"\(stylesheet)\"") && page.text.contains("\(root)/static/v\(Version.current)/admin.js"), "\(page.text)")
            let versioned = try stack.get(stylesheet, port: port, authorized: false)
            #expect(versioned.status == 200 && versioned.headers["content-type"] == "text/css")
            #expect(versioned.headers["cache-control"] == "max-age=31536000")
            let unversioned = try stack.get(root + "/static/admin.css", port: port, authorized: false)
            #expect(unversioned.headers["cache-control"] == "max-age=3600" && unversioned.body == versioned.body)
        }
    }

    /// The worker's copy of the security headers says what nginx's says.
    @Test func theWorkersSecurityHeadersAreNginxs() throws {
        let conf = try String(contentsOf: Stack.packageRoot.appendingPathComponent("nginx/coupon-admin-headers.conf.in"), encoding: .utf8)
        let fromNginx = conf.split(separator: "\n").compactMap { line -> String? in
            guard let match = line.wholeMatch(of: /add_header (\S+) "(.*)" always;/) else { return nil }
            return "\(match.1): \(match.2)"
        }
        #expect(fromNginx == SecurityHeaders.fields.map { "\($0.name): \($0.value)" })
    }

    @Test func malformedContentLengthStraightToTheSocketIs400() throws {
        let stack = try Stack()
        let response = try FastCGIClient.send(
            to: stack.socketPath, params: FastCGIClient.params("POST", "/healthz", extra: ["CONTENT_LENGTH": "12abc"]))
        #expect(response.status == 400)
        #expect(response.headers["content-type"] == "application/problem+json")
        // ...and the worker serves on.
        #expect(try stack.get("/healthz").status == 200)
    }

    @Test func twoHundredConcurrentRequestsAreAllAnswered() throws {
        let stack = try Stack()
        let count = 200
        let port = stack.port
        let statuses = Mutex<[Int]>([])
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread {
                let status = (try? HTTPClient.request(port: port, "GET", "/healthz").status) ?? -1
                statuses.withLock { $0.append(status) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: count))
    }

    @Test func whenTheWorkerIsDownNginxAnswers503Problem() throws {
        let stack = try Stack()
        #expect(try stack.stopWorker().status == 0)
        let response = try stack.get("/healthz")
        #expect(response.status == 503)
        #expect(response.headers["content-type"] == "application/problem+json")
    }
}
