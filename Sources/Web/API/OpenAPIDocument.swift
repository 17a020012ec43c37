import FastCGI

/// `GET /api/v1/openapi.json`: the API document, as kept in `Sources/Web/Resources/openapi.json`.
struct OpenAPIDocument: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.apiKey(.viewer)) { viewers in
            viewers.get("/api/v1/openapi.json") { _ in document }
        }
    }
}

private let document = Response(
    status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: PackageResources.openapi_json
)
