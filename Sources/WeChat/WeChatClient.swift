import AsyncHTTPClient
import Coupons
import Foundation
import NIOCore
import StrictJSON

/// WeChat's coupon endpoints (`POST /shop/coupon/NAME`). Note the spellings: `update_coupon_stock`,
/// `update_user_coupon`, but `get_usercoupon_list` and `update_usercoupon_status`.
public enum CouponEndpoint: String, CaseIterable, Sendable {
    case confirm, add, get, update
    case getList = "get_list"
    case updateStatus = "update_status"
    case updateCouponStock = "update_coupon_stock"
    case addUserCoupon = "add_user_coupon"
    case getUserCouponList = "get_usercoupon_list"
    case updateUserCoupon = "update_user_coupon"
    case updateUserCouponStatus = "update_usercoupon_status"

    public var path: String { "/shop/coupon/" + rawValue }
}

/// Where and how to reach WeChat.
public struct WeChatConfiguration: Sendable {
    public enum TokenEndpoint: String, Sendable {
        /// `POST /cgi-bin/stable_token`: the same token for every caller while it is valid.
        case stable
        /// `GET /cgi-bin/token`: every fetch ends the previous token after five minutes.
        case legacy
    }

    public var baseURL: String
    public var appID: String
    public var secret: String
    public var tokenEndpoint: TokenEndpoint
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// Calls in flight at once; more wait for a connection.
    public var maxConnections: Int

    public init(
        baseURL: String = "https://api.weixin.qq.com", appID: String, secret: String, tokenEndpoint: TokenEndpoint = .stable,
        connectTimeout: Duration = .seconds(3), totalTimeout: Duration = .seconds(10), maxConnections: Int = 64
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.appID = appID
        self.secret = secret
        self.tokenEndpoint = tokenEndpoint
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxConnections = maxConnections
    }
}

/// Why a call to WeChat produced no answer to act on. Messages never contain an access token.
public enum WeChatCallError: Error, Sendable, CustomStringConvertible {
    /// WeChat answered with an errcode.
    case refused(WeChatError)
    /// No usable answer: connection failure, timeout, an HTTP error status, or a body that is not JSON.
    case unreachable(String)
    /// Not sent: an earlier answer paused every call for a while.
    case paused(CallPause)

    public var description: String {
        switch self {
        case .refused(let error): error.description
        case .unreachable(let reason): "WeChat did not answer: \(reason)".redactingAccessTokens
        case .paused(let pause): pause.description
        }
    }

    /// WeChat's refusal, when it answered with one.
    public var refusal: WeChatError? {
        if case .refused(let error) = self { error } else { nil }
    }

    /// WeChat's errcode, when it answered with one (or paused the calls with it).
    public var errcode: Int? {
        switch self {
        case .refused(let error): error.code
        case .paused(let pause): pause.cause.code
        case .unreachable: nil
        }
    }
}

/// Calls WeChat over one shared `HTTPClient`; `shutdown()` it before the process exits.
///
/// Refused credentials stop every call for `credentialPause` seconds, a spent daily quota until
/// WeChat's next day: calls made meanwhile fail at once with `.paused`.
public final class WeChatClient: Sendable {
    public let configuration: WeChatConfiguration
    public let tokens: AccessTokenProvider
    private let http: HTTPClient
    private let pauses: CallPauses

    public init(
        configuration: WeChatConfiguration, shared: (any SharedAccessTokenStore)? = nil, credentialPause: Double = 600,
        now: @escaping @Sendable () -> Double
    ) {
        self.configuration = configuration
        pauses = CallPauses(credentialPause: credentialPause, now: now)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: TimeAmount(configuration.connectTimeout))
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        tokens = AccessTokenProvider(source: HTTPAccessTokenSource(http: http, configuration: configuration), shared: shared, now: now)
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// `shutdown()` for code that is not async, such as the end of `serve`.
    public func shutdownAndWait() {
        try? http.syncShutdown()
    }

    /// Calls `endpoint` with a JSON body and returns WeChat's answer once its errcode is 0. A token WeChat
    /// refuses (40001, 40014, 42001) is dropped and the call made once more with a new one; a second
    /// refusal is returned as it is, never retried again.
    public func call(_ endpoint: CouponEndpoint, body: [UInt8]) async throws(WeChatCallError) -> JSONValue {
        if let pause = pauses.active { throw .paused(pause) }
        do {
            let first = try await token()
            do {
                return try await post(endpoint, body: body, token: first)
            } catch .refused(let error) where error.kind == .invalidToken {
                await tokens.invalidate(first)
                return try await post(endpoint, body: body, token: try await token())
            }
        } catch .refused(let error) {
            pauses.note(error)
            throw .refused(error)
        }
    }

    /// The pause in force after refused credentials or a spent daily quota, if any.
    public var pause: CallPause? { pauses.active }

    private func token() async throws(WeChatCallError) -> AccessToken {
        do {
            return try await tokens.token()
        } catch let error as WeChatError {
            throw .refused(error)
        } catch let error as WeChatCallError {
            throw error
        } catch {
            throw .unreachable(String(describing: error))
        }
    }

    private func post(_ endpoint: CouponEndpoint, body: [UInt8], token: AccessToken) async throws(WeChatCallError) -> JSONValue {
        var request = HTTPClientRequest(url: configuration.baseURL + endpoint.path + "?access_token=" + token.value)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let start = ContinuousClock.now
        let answer: JSONValue
        do {
            answer = try await WeChatClient.execute(request, on: http, timeout: configuration.totalTimeout)
        } catch {
            WeChatCallMetrics.recordCall(endpoint, errcode: nil, duration: ContinuousClock.now - start)
            throw error
        }
        let error = answer.wechatError
        WeChatCallMetrics.recordCall(endpoint, errcode: error?.code ?? 0, duration: ContinuousClock.now - start)
        if let error { throw .refused(error) }
        return answer
    }

    /// Sends `request` and parses the JSON answer; any transport failure or non-JSON answer is `.unreachable`.
    static func execute(_ request: HTTPClientRequest, on http: HTTPClient, timeout: Duration) async throws(WeChatCallError) -> JSONValue {
        do {
            let response = try await http.execute(request, timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: 4 << 20)
            guard response.status == .ok else { throw WeChatCallError.unreachable("HTTP \(response.status.code)") }
            do {
                return try JSONParser.parse(Array(body.readableBytesView))
            } catch {
                throw WeChatCallError.unreachable("the answer is not JSON (\(error.description))")
            }
        } catch let error as WeChatCallError {
            throw error
        } catch {
            throw .unreachable(String(describing: error))
        }
    }
}

/// Fetches tokens from `/cgi-bin/stable_token` (or `/cgi-bin/token`).
struct HTTPAccessTokenSource: AccessTokenSource {
    let http: HTTPClient
    let configuration: WeChatConfiguration

    func fetchToken(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int) {
        do {
            let token = try await fetch(forceRefresh: forceRefresh)
            WeChatCallMetrics.recordTokenFetch(succeeded: true)
            return token
        } catch {
            WeChatCallMetrics.recordTokenFetch(succeeded: false)
            throw error
        }
    }

    private func fetch(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int) {
        var request: HTTPClientRequest
        switch configuration.tokenEndpoint {
        case .stable:
            request = HTTPClientRequest(url: configuration.baseURL + "/cgi-bin/stable_token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            var writer = JSONWriter()
            writer.object {
                $0.member("grant_type") { $0.string("client_credential") }
                $0.member("appid") { $0.string(configuration.appID) }
                $0.member("secret") { $0.string(configuration.secret) }
                $0.member("force_refresh") { $0.bool(forceRefresh) }
            }
            request.body = .bytes(ByteBuffer(bytes: writer.bytes))
        case .legacy:
            var components = URLComponents(string: configuration.baseURL + "/cgi-bin/token")
            components?.queryItems = [
                .init(name: "grant_type", value: "client_credential"), .init(name: "appid", value: configuration.appID),
                .init(name: "secret", value: configuration.secret),
            ]
            request = HTTPClientRequest(url: components?.string ?? "")
        }
        let answer = try await WeChatClient.execute(request, on: http, timeout: configuration.totalTimeout)
        if let error = answer.wechatError { throw error }
        guard case .string(let token)? = answer.member("access_token"), !token.isEmpty, let expiresIn = answer.member("expires_in")?.integer else {
            throw WeChatCallError.unreachable("the token answer has no access_token and expires_in")
        }
        return (token, expiresIn)
    }
}

extension JSONValue {
    /// The errcode of an answer, when it is not 0. WeChat says errors with HTTP 200, so every answer is read.
    var wechatError: WeChatError? {
        guard let code = member("errcode")?.integer, code != 0 else { return nil }
        if case .string(let message)? = member("errmsg") { return WeChatError(code: code, message: message) }
        return WeChatError(code: code, message: "")
    }
}
