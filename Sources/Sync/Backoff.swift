import WeChat

/// How long a coupon or a change waits after failed attempts: doubling from `first`, capped at
/// `maximum`, shortened by a random part of up to a quarter so that many coupons do not retry in step;
/// never before a pause of WeChat's calls ends.
public struct Backoff: Sendable {
    /// Seconds before the first retry.
    public var first: Double
    public var maximum: Double
    /// The share of the delay kept, in 0.75...1; random unless a test fixes it.
    public var keptShare: @Sendable () -> Double

    public init(first: Double = 2, maximum: Double = 600, keptShare: @escaping @Sendable () -> Double = { Double.random(in: 0.75...1.0) }) {
        self.first = first
        self.maximum = maximum
        self.keptShare = keptShare
    }

    /// Seconds to wait after `attempts` failed attempts.
    public func delay(afterAttempts attempts: Int) -> Double {
        min(maximum, first * Double(1 << min(max(attempts, 1) - 1, 30))) * keptShare()
    }

    /// When to try again (unix seconds) after `attempts` failed attempts, the last failing with `error` at `now`.
    public func retryTime(afterAttempts attempts: Int, _ error: WeChatCallError, now: Double) -> Double {
        let retryAt = now + delay(afterAttempts: attempts)
        if case .paused(let pause) = error { return max(retryAt, pause.until) }
        return retryAt
    }
}
