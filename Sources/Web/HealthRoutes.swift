import FastCGI

extension Router {
    /// `GET /healthz`: whether the worker is up, for nginx checks and monitoring. Needs no login.
    public mutating func addHealthRoutes() {
        get("/healthz") { _ in
            Response(status: 200, contentType: "application/json", body: #"{"status":"ok"}"#)
        }
    }
}
