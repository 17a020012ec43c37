import Foundation
import Synchronization

/// WeChat calls stopped for a while after an answer that repeating would only make worse:
/// refused credentials (nobody can fix them from here, and every retry is another refusal) or the
/// daily quota (spent until WeChat's next day).
public struct CallPause: Sendable, Equatable, CustomStringConvertible {
    public var cause: WeChatError
    /// Unix seconds on this machine's clock.
    public var until: Double

    public init(cause: WeChatError, until: Double) {
        self.cause = cause
        self.until = until
    }

    public var description: String {
        let until = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: until.rounded(.up)))
        return switch cause.kind {
        case .dailyQuota: "WeChat's daily quota is spent (\(cause)); no calls until \(until), WeChat's next day"
        default: "WeChat refuses the app's credentials (\(cause)); calls paused until \(until)"
        }
    }

    /// The pause an error calls for, if any. WeChat's day starts at midnight in China (UTC+8).
    static func after(_ error: WeChatError, at now: Double, credentialPause: Double) -> CallPause? {
        switch error.kind {
        case .credentials:
            return CallPause(cause: error, until: now + credentialPause)
        case .dailyQuota:
            let chinaOffset = 8.0 * 3600
            let nextChinaMidnight = ((now + chinaOffset) / 86400).rounded(.down) * 86400 + 86400 - chinaOffset
            return CallPause(cause: error, until: nextChinaMidnight)
        default:
            return nil
        }
    }
}

/// The pause in force, shared by every caller of one client.
final class CallPauses: Sendable {
    private let current = Mutex<CallPause?>(nil)
    private let now: @Sendable () -> Double
    let credentialPause: Double

    init(credentialPause: Double, now: @escaping @Sendable () -> Double) {
        self.credentialPause = credentialPause
        self.now = now
    }

    /// The pause still in force, if any.
    var active: CallPause? {
        let now = now()
        return current.withLock { pause in
            if let until = pause?.until, until <= now { pause = nil }
            return pause
        }
    }

    /// Starts the pause `error` calls for; other errors leave things as they are.
    func note(_ error: WeChatError) {
        guard let pause = CallPause.after(error, at: now(), credentialPause: credentialPause) else { return }
        current.withLock { $0 = pause }
    }
}
