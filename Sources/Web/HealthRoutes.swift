import FastCGI
import StrictJSON

extension Router {
    /// `GET /healthz`: whether the worker is up, for nginx checks and monitoring. Needs no login.
    /// It answers 200 `{"status":"ok"}`, or 200 `{"status":"degraded","reason":...}` while `degradedReason`
    /// gives a reason: the worker still serves, but something it depends on (WeChat) does not work.
    public mutating func addHealthRoutes(degradedReason: (@Sendable () -> String?)? = nil) {
        get("/healthz", access: .everyone) { _ in
            guard let reason = degradedReason?() else { return healthy }
            var writer = JSONWriter()
            writer.object {
                $0.member("status") { $0.string("degraded") }
                $0.member("reason") { $0.string(reason) }
            }
            return .json(status: 200, writer.bytes)
        }
    }
}

/// Built once: monitoring calls this often.
private let healthy = Response(status: 200, contentType: "application/json", body: #"{"status":"ok"}"#)
