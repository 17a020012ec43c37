import FastCGI
import StrictJSON

/// An error a handler throws to answer with a problem response instead of a 500.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var detail: String?
    public var fieldErrors: [Problem.FieldError]?
    public var headers: HTTPHeaders
    /// WeChat's errcode and errmsg, when WeChat's refusal is the reason.
    public var errcode: Int?
    public var errmsg: String?
    /// On the admin pages: the catalog key of the message shown instead of the status's own.
    var pageMessage: String?

    public init(
        status: Int, detail: String? = nil, fieldErrors: [Problem.FieldError]? = nil, headers: HTTPHeaders = HTTPHeaders(),
        errcode: Int? = nil, errmsg: String? = nil
    ) {
        self.status = status
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
        self.errcode = errcode
        self.errmsg = errmsg
    }

    public func response(for request: Request) -> Response {
        var problem = Problem(status: status, detail: detail, instance: request.fullPath, requestID: request.requestID, errors: fieldErrors)
        if let errcode { problem.extensionMembers["errcode"] = .integer(errcode) }
        if let errmsg { problem.extensionMembers["errmsg"] = .string(errmsg) }
        return .problem(problem, headers: headers)
    }
}

extension HTTPError {
    /// 422 listing every problem of a body, each under its field.
    static func invalidBody(_ invalid: FieldErrors, what: String = "The body") -> HTTPError {
        let count = invalid.errors.count == 1 ? "1 problem" : "\(invalid.errors.count) problems"
        return HTTPError(
            status: 422, detail: "\(what) is not valid: \(count), listed in errors.",
            fieldErrors: invalid.errors.map { Problem.FieldError(field: $0.field, message: $0.message) }
        )
    }

    /// 429 for an address or account that failed to authenticate too often, with `Retry-After`.
    static func tooManyAttempts(retryAfter seconds: Int) -> HTTPError {
        HTTPError(
            status: 429, detail: "Too many failed attempts from here; try again in \(seconds) s.",
            headers: HTTPHeaders([("Retry-After", String(seconds))])
        )
    }
}
