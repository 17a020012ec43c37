import FastCGI

extension Router {
    /// `GET /healthz`: whether the worker is up, for nginx checks and monitoring. Needs no login.
    public mutating func addHealthRoutes() {
        get("/healthz") { _ in healthy }
    }
}

/// Built once: monitoring calls this often.
private let healthy = Response(status: 200, contentType: "application/json", body: #"{"status":"ok"}"#)
