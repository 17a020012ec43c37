import Logging

/// Turns a response into the CGI-style bytes a FastCGI responder writes: a `Status` line, header
/// fields, a blank line, the body.
public enum ResponseEncoder {
    /// The bytes to write and the status they carry. Every response gets `Content-Length` and
    /// `X-Request-Id`. A header field that could split the response (a line break in a name or value)
    /// is a programming error: it is logged and a 500 goes out instead.
    public static func encode(_ response: Response, request: Request, logger: Logger) -> (bytes: [UInt8], status: Int) {
        var response = response
        if !response.headers.allSatisfy(isSafe) {
            logger.error("response header would split the response; sending 500 instead")
            response = .problem(status: 500, for: request)
        }
        response.headers.set(name: "Content-Length", value: String(response.body.count))
        response.headers.set(name: "X-Request-Id", value: request.requestID)

        var head = "Status: \(response.status) \(HTTPStatus.reasonPhrase(response.status))\r\n"
        for field in response.headers {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "\r\n"
        return (Array(head.utf8) + response.body, response.status)
    }

    private static func isSafe(_ field: HTTPHeaders.Field) -> Bool {
        let nameIsToken = !field.name.isEmpty && field.name.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: ":")
        }
        let valueIsOneLine = field.value.utf8.allSatisfy { byte in
            byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") && byte != 0
        }
        return nameIsToken && valueIsOneLine
    }
}
