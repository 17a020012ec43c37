import Hummingbird
import StrictJSON

/// The sandbox's HTTP endpoints: WeChat's own paths, plus `/sandbox/faults` (POST, to set faults)
/// and `/sandbox/stats` (GET: calls per endpoint, stored coupons, repeated adds).
public enum SandboxServer {
    public static func makeRouter(sandbox: Sandbox) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/cgi-bin/stable_token") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return try await respond(sandbox.stableToken(body: Array(body.readableBytesView)))
        }
        router.get("/cgi-bin/token") { request, _ in
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            return try await respond(sandbox.legacyToken(query: query))
        }
        router.post("/shop/coupon/:name") { request, context in
            var request = request
            let name = context.parameters.get("name") ?? ""
            let token = request.uri.queryParameters["access_token"].map(String.init)
            let body = try await request.collectBody(upTo: 1 << 20)
            return try await respond(sandbox.coupon(name, accessToken: token, body: Array(body.readableBytesView)))
        }
        router.post("/sandbox/faults") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            guard let faults = Self.faults(from: Array(body.readableBytesView)) else {
                return json(status: .badRequest, #"{"error":"expected {\"latency_ms\", \"failure_rate\", \"errcode\", \"errcode_count\", \"down\", \"drop\"}"}"#)
            }
            await sandbox.setFaults(faults)
            return json(status: .ok, #"{"ok":true}"#)
        }
        router.get("/sandbox/stats") { _, _ in
            let (calls, coupons, repeated) = await (sandbox.calls, sandbox.storedCouponCount, sandbox.repeatedAdds)
            var writer = JSONWriter()
            writer.object {
                $0.member("calls") { list in
                    list.object { for (endpoint, count) in calls.sorted(by: { $0.key < $1.key }) { $0.member(endpoint) { $0.integer(count) } } }
                }
                $0.member("coupons") { $0.integer(coupons) }
                $0.member("repeated_adds") { $0.integer(repeated) }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
        }
        return router
    }

    /// WeChat answers with HTTP 200 and an errcode; "down" is a 503 page, as from a proxy in front of it.
    private static func respond(_ answer: Sandbox.Answer?) async throws -> Response {
        guard let answer else {
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>503 Service Unavailable</html>")))
        }
        if answer.latencyMilliseconds > 0 { try await Task.sleep(for: .milliseconds(answer.latencyMilliseconds)) }
        if answer.drop {
            // Half the promised body, then the connection closes: the client sees it drop mid-answer.
            let half = ByteBuffer(bytes: answer.json.prefix(answer.json.count / 2))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(contentLength: answer.json.count) { writer in
                try await writer.write(half)
                throw DroppedConnection()
            })
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer.json)))
    }

    private static func json(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"latency_ms": 200, "failure_rate": 0.1, "errcode": 45011, "errcode_count": 3, "down": false, "drop": false}`;
    /// members left out are 0 or false.
    static func faults(from body: [UInt8]) -> Sandbox.Faults? {
        guard case .object(let members)? = try? JSONParser.parse(body) else { return nil }
        var faults = Sandbox.Faults()
        for member in members {
            switch (member.name, member.value) {
            case ("latency_ms", .number(let text)): guard let value = Int(text), value >= 0 else { return nil }; faults.latencyMilliseconds = value
            case ("failure_rate", .number(let text)): guard let value = Double(text), (0...1).contains(value) else { return nil }; faults.failureRate = value
            case ("errcode", .number(let text)): guard let value = Int(text) else { return nil }; faults.errcode = value
            case ("errcode_count", .number(let text)): guard let value = Int(text), value >= 0 else { return nil }; faults.errcodeCount = value
            case ("down", .bool(let value)): faults.down = value
            case ("drop", .bool(let value)): faults.drop = value
            default: return nil
            }
        }
        return faults
    }
}

/// Ends an answer partway, for the "drop" fault.
struct DroppedConnection: Error {}
