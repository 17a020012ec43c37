import StrictJSON

/// An RFC 9457 problem document, the body of every error response (`application/problem+json`).
public struct Problem: Decodable, Sendable, Equatable {
    /// One complaint about one field of the request body.
    public struct FieldError: Decodable, Sendable, Equatable {
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
    public enum ExtensionMember: Decodable, Sendable, Equatable {
        case integer(Int)
        case string(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) { self = .integer(integer) } else { self = .string(try container.decode(String.self)) }
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

    /// The document: its members in the order of their names.
    public var json: [UInt8] {
        var members: [JSONValue.Member] = [.init("type", .string(type)), .init("title", .string(title)), .init("status", .number(String(status)))]
        if let detail { members.append(.init("detail", .string(detail))) }
        if let instance { members.append(.init("instance", .string(instance))) }
        if let requestID { members.append(.init("request_id", .string(requestID))) }
        if let errors {
            members.append(.init("errors", .array(errors.map { .object([.init("field", .string($0.field)), .init("message", .string($0.message))]) })))
        }
        for (name, value) in extensionMembers where !Self.standardMembers.contains(name) {
            switch value {
            case .integer(let integer): members.append(.init(name, .number(String(integer))))
            case .string(let string): members.append(.init(name, .string(string)))
            }
        }
        var writer = JSONWriter(capacity: 256)
        writer.value(.object(members), sortingKeys: true)
        return writer.bytes
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
        return Response(status: problem.status, headers: headers, body: problem.json)
    }
}
