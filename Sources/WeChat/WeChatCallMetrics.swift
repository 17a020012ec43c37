import Metrics
import Synchronization

/// What the WeChat calls come to, for `/metrics`:
/// - `coupon_admin_wechat_call_duration_seconds{endpoint, errcode}`: each call to a coupon endpoint (its
///   `_count` counts them); `errcode` is WeChat's (`0` for success) or `none` when no answer came.
/// - `coupon_admin_wechat_token_fetches_total{outcome}`: token fetches, `ok` or `failed`.
///
/// The first `distinctErrcodes` errcodes seen are labelled as they are, any later one `other`, so an
/// answer WeChat has never documented cannot grow the label values without end.
enum WeChatCallMetrics {
    static let callLabel = "coupon_admin_wechat_call_duration_seconds"
    static let tokenFetchLabel = "coupon_admin_wechat_token_fetches_total"
    static let distinctErrcodes = 50

    private static let errcodesSeen = Mutex<Set<Int>>([0])

    static func recordCall(_ endpoint: CouponEndpoint, errcode: Int?, duration: Duration) {
        Timer(label: callLabel, dimensions: [("endpoint", endpoint.path), ("errcode", label(for: errcode))]).record(duration: duration)
    }

    static func recordTokenFetch(succeeded: Bool) {
        Counter(label: tokenFetchLabel, dimensions: [("outcome", succeeded ? "ok" : "failed")]).increment()
    }

    static func label(for errcode: Int?) -> String {
        guard let errcode else { return "none" }
        let named = errcodesSeen.withLock { seen in
            if seen.contains(errcode) { return true }
            guard seen.count < distinctErrcodes else { return false }
            seen.insert(errcode)
            return true
        }
        return named ? String(errcode) : "other"
    }
}
