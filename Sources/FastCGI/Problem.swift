import Foundation

/// An RFC 9457 problem document, the body of every error response (`application/problem+json`).
public struct Problem: Codable, Sendable, Equatable {
    /// One complaint about one field of the request body.
    public struct FieldError: Codable, Sendable, Equatable {
        /// The path of the field, such as `coupon.coupon_info.name`.
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// The request path as the client sent it.
    public var instance: String?
    public var requestID: String?
    public var errors: [FieldError]?
    /// The code and message of an upstream service that refused the request (WeChat's errcode and errmsg).
    public var errcode: Int?
    public var errmsg: String?

    public init(
        status: Int,
        title: String? = nil,
        detail: String? = nil,
        instance: String? = nil,
        requestID: String? = nil,
        errors: [FieldError]? = nil,
        type: String = "about:blank"
    ) {
        self.type = type
        self.title = title ?? HTTPStatus.reasonPhrase(status)
        self.status = status
        self.detail = detail
        self.instance = instance
        self.requestID = requestID
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, errors, errcode, errmsg
        case requestID = "request_id"
    }

    public static let mediaType = "application/problem+json"
}

extension Response {
    /// A problem response about `request`: its path becomes `instance`, its id `request_id`.
    public static func problem(
        status: Int,
        detail: String? = nil,
        errors: [Problem.FieldError]? = nil,
        for request: Request,
        headers: HTTPHeaders = HTTPHeaders()
    ) -> Response {
        problem(
            Problem(status: status, detail: detail, instance: request.fullPath, requestID: request.requestID, errors: errors),
            headers: headers
        )
    }

    public static func problem(_ problem: Problem, headers: HTTPHeaders = HTTPHeaders()) -> Response {
        var headers = headers
        headers.set(name: "Content-Type", value: Problem.mediaType)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        let body = (try? encoder.encode(problem)) ?? Data()
        return Response(status: problem.status, headers: headers, body: Array(body))
    }
}
