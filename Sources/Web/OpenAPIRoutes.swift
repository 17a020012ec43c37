import FastCGI

extension Router {
    /// `GET /api/v1/openapi.json`: the API document, as kept in `Sources/Web/Resources/openapi.json`.
    public mutating func addOpenAPIRoutes() {
        get("/api/v1/openapi.json", access: .atLeast(.viewer)) { _ in openAPIDocument }
    }
}

private let openAPIDocument = Response(
    status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: PackageResources.openapi_json
)
