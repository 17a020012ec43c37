import Logging

/// Turns a response into the CGI-style bytes a FastCGI responder writes: a `Status` line, header
/// fields, a blank line, the body.
public enum ResponseEncoder {
    /// The bytes to write and the status they carry, up to the end of `body`: a `stream` goes after.
    /// Every response gets `X-Request-Id`, and `Content-Length` unless it has a stream. A header field that could split the response (a line break in a name or value)
    /// is a programming error: it is logged and a 500 goes out instead.
    public static func encode(_ response: Response, request: Request, logger: Logger) -> (bytes: [UInt8], status: Int) {
        var response = response
        if !response.headers.allSatisfy(isSafe) {
            logger.error("response header would split the response; sending 500 instead")
            response = .problem(status: 500, for: request)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + response.body.count)
        bytes += "Status: ".utf8
        bytes += String(response.status).utf8
        bytes.append(UInt8(ascii: " "))
        bytes += HTTPStatus.reasonPhrase(response.status).utf8
        bytes += [13, 10]
        for field in response.headers where !isComputed(field.name) {
            append(field.name, field.value, to: &bytes)
        }
        if response.stream == nil { append("Content-Length", String(response.body.count), to: &bytes) }
        append("X-Request-Id", request.requestID, to: &bytes)
        bytes += [13, 10]
        bytes += response.body
        return (bytes, response.status)
    }

    private static func append(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes += name.utf8
        bytes += [UInt8(ascii: ":"), UInt8(ascii: " ")]
        bytes += value.utf8
        bytes += [13, 10]
    }

    /// The fields the encoder writes itself, whatever the handler set.
    private static func isComputed(_ name: String) -> Bool {
        HTTPHeaders.sameName(name, "Content-Length") || HTTPHeaders.sameName(name, "X-Request-Id")
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
