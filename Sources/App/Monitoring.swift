import Foundation
import Metrics
import Prometheus
import Storage
import WeChat

/// The worker's metrics, for `GET /metrics`: what the modules record through swift-metrics (requests,
/// WeChat calls, token fetches, commits, imports), kept by swift-prometheus in one registry, and the
/// state of the database, read when the metrics are asked for. The README lists every metric.
public enum Monitoring {
    /// The registry swift-metrics records into, for this process's life: made, and swift-metrics
    /// pointed at it, the first time it is needed (swift-metrics takes one bootstrap per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Most answers take well under 5 ms, swift-prometheus' smallest bucket.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The text of `/metrics`: the recorded metrics, and the database's state as of now: the sync backlog,
    /// and the age of the shared WeChat token under `tokenKey` (when WeChat is configured).
    public static func exposition(database: AppDatabase, tokenKey: String?, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) -> @Sendable () throws -> [UInt8] {
        { () throws -> [UInt8] in
            let backlog = try database.coupons.syncBacklog()
            let time = now()
            registry.makeGauge(name: "coupon_admin_coupons_pending", help: "Coupons WeChat does not have as they are yet").set(Double(backlog.pending))
            registry.makeGauge(name: "coupon_admin_coupons_oldest_pending_age_seconds", help: "How long the oldest sync waiting has waited; 0 with none")
                .set(backlog.oldestPendingSince.map { max(0, time - Double($0)) } ?? 0)
            registry.makeGauge(name: "coupon_admin_coupons_rejected", help: "Coupons WeChat refused").set(Double(backlog.rejected))
            if let tokenKey {
                let status = try database.accessTokens.accessTokenStatus(key: tokenKey)
                registry.makeGauge(name: "coupon_admin_wechat_token_age_seconds", help: "Age of the stored WeChat access token; -1 with none")
                    .set(status.flatMap { $0.hasToken ? $0.fetchedAt : nil }.map { time - $0 } ?? -1)
            }
            var text: [UInt8] = []
            registry.emit(into: &text)
            return text
        }
    }
}
