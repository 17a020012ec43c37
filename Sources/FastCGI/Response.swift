/// What a handler answers: a status, header fields and a body, written back through FastCGI.
public struct Response: Sendable {
    /// Writes an answer too large to hold at once, piece by piece, after `body`: each call of `write`
    /// sends one piece on, and returns false once the client has gone away (stop writing then).
    public typealias BodyStream = @Sendable (_ write: ([UInt8]) -> Bool) throws -> Void

    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Written after `body`, once the head is out; such an answer has no `Content-Length` (nginx ends
    /// it where the FastCGI stream ends). A failure midway cuts the answer short.
    public var stream: BodyStream?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], stream: BodyStream? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    public init(status: Int, contentType: String, body: String) {
        self.init(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: Array(body.utf8))
    }

    /// The whole body, the stream's pieces included: for answers handled in memory (tests).
    public func wholeBody() throws -> [UInt8] {
        var bytes = body
        try stream? { piece in
            bytes += piece
            return true
        }
        return bytes
    }
}
