import Foundation
import TestSupport
import WeChat
#if canImport(Glibc)
import Glibc
#endif

/// The `wechat-sandbox` binary from the same build, running on a free loopback port.
final class SandboxProcess {
    static var binary: String {
        URL(fileURLWithPath: Stack.workerBinary).deletingLastPathComponent().appendingPathComponent("wechat-sandbox").path
    }

    let port: UInt16
    let directory: TemporaryDirectory
    private let process: ChildProcess

    init(arguments: [String] = []) throws {
        directory = try TemporaryDirectory("ca-sandbox")
        port = try Stack.freePort()
        let log = directory.path("sandbox.log")
        process = try ChildProcess(Self.binary, ["--listen", "127.0.0.1:\(port)"] + arguments, outputPath: log)
        let started = ContinuousClock.now
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("listening on http://127.0.0.1:\(port)") ?? false) {
            guard process.isRunning, ContinuousClock.now - started < .seconds(20) else {
                throw StackError(description: "the sandbox did not start:\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(20_000)
        }
    }

    deinit {
        process.send(SIGTERM)
        if process.wait(upTo: .seconds(10)) == nil {
            process.send(SIGKILL)
            _ = process.wait(upTo: .seconds(5))
        }
        directory.remove()
    }

    /// A WeChat client pointed at this sandbox with its credentials; end it with `shuttingDown(_:after:)`.
    func makeClient() -> WeChatClient {
        WeChatClient(
            configuration: WeChatConfiguration(baseURL: "http://127.0.0.1:\(port)", appID: "wxsandbox", secret: "sandbox-secret"),
            now: { Date().timeIntervalSince1970 }
        )
    }

    /// Runs `body` with a client for this sandbox, shut down afterwards.
    func withClient<Value>(_ body: (WeChatClient) async throws -> Value) async throws -> Value {
        let client = makeClient()
        return try await shuttingDown(client) { try await body(client) }
    }

    /// Worker flags that point it at this sandbox; the secret goes in a file, as in production.
    func workerArguments(secret: String = "sandbox-secret") throws -> [String] {
        let secretFile = directory.path("secret-\(UUID().uuidString.prefix(8))")
        try (secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        return ["--wechat-api-base", "http://127.0.0.1:\(port)", "--wechat-appid", "wxsandbox", "--wechat-secret-file", secretFile]
    }

    /// The same settings as environment variables, for the commands that take them only so.
    func workerEnvironment() -> [String: String] {
        ["COUPON_ADMIN_WECHAT_API_BASE": "http://127.0.0.1:\(port)", "COUPON_ADMIN_WECHAT_APPID": "wxsandbox", "COUPON_ADMIN_WECHAT_SECRET": "sandbox-secret"]
    }

    /// `GET /sandbox/stats`.
    func stats() throws -> [String: Any] {
        try HTTPClient.request(port: port, "GET", "/sandbox/stats").json()
    }

    /// How many times an endpoint was called.
    func calls(_ endpoint: String) throws -> Int {
        (try stats()["calls"] as? [String: Int])?[endpoint] ?? 0
    }

    func faults(_ json: String) throws {
        _ = try post("/sandbox/faults", json)
    }

    func post(_ path: String, _ json: String) throws -> [String: Any] {
        try HTTPClient.request(port: port, "POST", path, headers: ["Content-Type": "application/json"], body: Array(json.utf8)).json()
    }

    func stableToken(force: Bool = false, secret: String = "sandbox-secret") throws -> [String: Any] {
        try post("/cgi-bin/stable_token", #"{"grant_type":"client_credential","appid":"wxsandbox","secret":"\#(secret)","force_refresh":\#(force)}"#)
    }

    func legacyToken() throws -> [String: Any] {
        try HTTPClient.request(port: port, "GET", "/cgi-bin/token?grant_type=client_credential&appid=wxsandbox&secret=sandbox-secret").json()
    }

    func coupon(_ name: String, token: String, _ json: String) throws -> [String: Any] {
        try post("/shop/coupon/\(name)?access_token=\(token)", json)
    }
}

/// Runs `body`, then shuts `client` down whatever happened: AsyncHTTPClient traps on a client dropped
/// while running.
func shuttingDown<Value>(_ client: WeChatClient, after body: () async throws -> Value) async throws -> Value {
    let value: Value
    do {
        value = try await body()
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
    return value
}
