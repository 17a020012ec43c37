import Metrics
import Synchronization

/// How long each answer took, by route pattern, method and status: the histogram
/// `coupon_admin_http_request_duration_seconds`, whose `_count` is the number of requests. A router
/// holds one per route and one for every path no route owns, so the label values are as few as the
/// routes: never a raw path, an id or a method a client made up.
final class RequestTimers: Sendable {
    static let label = "coupon_admin_http_request_duration_seconds"
    /// Methods named as they are; any other is `other`.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    private struct Key: Hashable {
        let method: String
        let status: Int
    }

    private let route: String
    private let timers = Mutex<[Key: Timer]>([:])

    init(route: String) {
        self.route = route
    }

    func record(method: String, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let key = Key(method: Self.knownMethods.contains(method) ? method : "other", status: status)
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(label: Self.label, dimensions: [("route", route), ("method", key.method), ("status", String(status))])
            timers[key] = timer
            return timer
        }
        timer.record(duration: elapsed)
    }
}
