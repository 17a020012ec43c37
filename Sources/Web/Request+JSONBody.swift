import FastCGI
import StrictJSON

extension Request {
    /// The body parsed as JSON: 415 unless it is sent as `application/json` (UTF-8), 400 when it does not parse.
    func jsonBody() throws(HTTPError) -> JSONValue {
        guard let contentType = headers["content-type"], Self.isJSON(contentType) else {
            throw HTTPError(status: 415, detail: "Send the body as application/json.", headers: HTTPHeaders([("Accept-Post", "application/json")]))
        }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw HTTPError(status: 400, detail: "The body is not JSON: \(error.description).")
        }
    }

    /// The body as a JSON object read by `read`, which reports what is wrong to the collector: 422
    /// listing every problem, each under its field, when anything is.
    func jsonObject<Value>(_ read: (inout ObjectReader, FieldErrorCollector) -> Value?) throws(HTTPError) -> Value {
        let body = try jsonBody()
        let collector = FieldErrorCollector()
        var value: Value?
        if var reader = ObjectReader(body, at: FieldPath(), collector: collector) {
            value = read(&reader, collector)
            reader.rejectUnknownMembers()
        }
        guard let value, collector.errors.isEmpty else { throw HTTPError.invalidBody(FieldErrors(collector.errors)) }
        return value
    }

    /// Whether the body is an HTML form's: `application/x-www-form-urlencoded`.
    var hasFormBody: Bool {
        headers["content-type"]?.split(separator: ";").first?.trimmingSpaces.lowercased() == "application/x-www-form-urlencoded"
    }

    /// `application/json`, with at most a `charset=utf-8` parameter.
    static func isJSON(_ contentType: String) -> Bool {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}

extension Response {
    /// A JSON response from bytes a `JSONWriter` made.
    static func json(status: Int, _ bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> Response {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return Response(status: status, headers: headers, body: bytes)
    }
}
