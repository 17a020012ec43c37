import FastCGI
import StrictJSON

/// What monitoring asks: `GET /healthz` and `GET /metrics`.
struct HealthRoutes: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        let metrics = services.metrics
        router.group { everyone in
            // Whether the worker is up, for nginx checks and monitoring: 200 `{"status":"ok"}`, or 200
            // `{"status":"degraded","reason":...}` while WeChat's calls are paused: the worker still
            // serves, but what it depends on does not work.
            everyone.get("/healthz") { _ in
                guard let reason = sync?.pause?.description else { return healthy }
                var writer = JSONWriter()
                writer.object {
                    $0.member("status") { $0.string("degraded") }
                    $0.member("reason") { $0.string(reason) }
                }
                return .json(status: 200, writer.bytes)
            }

            // The metrics' text, in Prometheus' format, for the addresses nginx's metrics location allows
            // (loopback unless the site says otherwise). Asked for any other way, even through another of
            // nginx's locations, it is not there: 404.
            if let metrics {
                everyone.get("/metrics") { context in
                    guard context.request.isFromMetricsLocation else { throw HTTPError(status: 404, detail: "There is nothing at this path.") }
                    return Response(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]), body: try metrics())
                }
            }
        }
    }
}

/// Built once: monitoring calls this often.
private let healthy = Response(status: 200, contentType: "application/json", body: #"{"status":"ok"}"#)
