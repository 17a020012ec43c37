/// An `errcode` other than 0 in a WeChat answer, and what to do about it.
public struct WeChatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var kind: Kind { Kind(code: code) }

    public var description: String { "WeChat errcode \(code): \(message)" }

    /// What an error code asks of the caller.
    public enum Kind: Sendable, Equatable {
        /// 40001, 40014, 42001: the access token is not (or no longer) valid. Drop it if it is still the
        /// one that failed, get one again, and retry the call once.
        case invalidToken
        /// 40013, 40125, 40164, 895xx: the appid, the secret or the server's IP is refused. Retrying
        /// cannot help; report it.
        case credentials
        /// -1, 45011, 300000, 990010: WeChat is busy or the calls come too fast. Retry later, backing off.
        case retryLater
        /// 45009: the daily quota is spent. Stop calling until the next day.
        case dailyQuota
        /// Anything else: WeChat refused this request (a missing field, a product coupon without
        /// products, ...). Retrying the same request gives the same answer.
        case refused

        public init(code: Int) {
            switch code {
            case 40001, 40014, 42001: self = .invalidToken
            case 40013, 40125, 40164, 89_500...89_599: self = .credentials
            case -1, 45011, 300_000, 990_010: self = .retryLater
            case 45009: self = .dailyQuota
            default: self = .refused
            }
        }
    }
}
