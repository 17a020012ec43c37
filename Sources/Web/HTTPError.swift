import FastCGI

/// An error a handler throws to answer with a problem response instead of a 500.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var detail: String?
    public var fieldErrors: [Problem.FieldError]?
    public var headers: HTTPHeaders

    public init(status: Int, detail: String? = nil, fieldErrors: [Problem.FieldError]? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public func response(for request: Request) -> Response {
        .problem(status: status, detail: detail, errors: fieldErrors, for: request, headers: headers)
    }
}
