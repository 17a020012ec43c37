import FastCGI

extension Router {
    /// `GET /metrics`: `exposition`'s text, in Prometheus' format, for the addresses nginx's metrics
    /// location allows (loopback unless the site says otherwise). Asked for any other way, even through
    /// another of nginx's locations, it is not there: 404.
    public mutating func addMetricsRoute(exposition: @escaping @Sendable () throws -> [UInt8]) {
        get("/metrics", access: .everyone) { context in
            guard context.request.isFromMetricsLocation else { throw HTTPError(status: 404, detail: "There is nothing at this path.") }
            return Response(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]), body: try exposition())
        }
    }
}
