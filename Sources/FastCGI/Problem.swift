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
    /// Members the application adds (RFC 9457's extension members), such as an upstream service's codes.
    public var extensionMembers: [String: ExtensionMember] = [:]

    /// The value of an extension member.
    public enum ExtensionMember: Codable, Sendable, Equatable {
        case integer(Int)
        case string(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) { self = .integer(integer) } else { self = .string(try container.decode(String.self)) }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .integer(let integer): try container.encode(integer)
            case .string(let string): try container.encode(string)
            }
        }
    }

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

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let standardMembers: Set<String> = ["type", "title", "status", "detail", "instance", "request_id", "errors"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decode(String.self, forKey: Key("type"))
        title = try container.decode(String.self, forKey: Key("title"))
        status = try container.decode(Int.self, forKey: Key("status"))
        detail = try container.decodeIfPresent(String.self, forKey: Key("detail"))
        instance = try container.decodeIfPresent(String.self, forKey: Key("instance"))
        requestID = try container.decodeIfPresent(String.self, forKey: Key("request_id"))
        errors = try container.decodeIfPresent([FieldError].self, forKey: Key("errors"))
        for key in container.allKeys where !Self.standardMembers.contains(key.stringValue) {
            extensionMembers[key.stringValue] = try container.decode(ExtensionMember.self, forKey: key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key("type"))
        try container.encode(title, forKey: Key("title"))
        try container.encode(status, forKey: Key("status"))
        try container.encodeIfPresent(detail, forKey: Key("detail"))
        try container.encodeIfPresent(instance, forKey: Key("instance"))
        try container.encodeIfPresent(requestID, forKey: Key("request_id"))
        try container.encodeIfPresent(errors, forKey: Key("errors"))
        for (name, value) in extensionMembers where !Self.standardMembers.contains(name) {
            try container.encode(value, forKey: Key(name))
        }
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
