import FastCGI
import Logging
import Testing

@Suite struct ContentLengthTests {
    @Test(arguments: [
        (nil, ContentLength.length(0)), ("", .length(0)), ("0", .length(0)), ("100", .length(100)), ("0100", .length(100)),
        ("101", .tooLarge), ("99999999999999999999999", .tooLarge),
        ("12x", .malformed), ("-1", .malformed), ("+1", .malformed), (" 1", .malformed), ("1 ", .malformed),
        ("1.0", .malformed), ("0x10", .malformed), ("99999999999999999999999x", .malformed),
    ] as [(String?, ContentLength)])
    func parse(value: String?, expected: ContentLength) {
        #expect(ContentLength.parse(value, limit: 100) == expected)
    }
}

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("unix:/run/w.sock", ListenAddress.unix(path: "/run/w.sock")), ("/run/w.sock", .unix(path: "/run/w.sock")),
        ("127.0.0.1:9000", .tcp(host: "127.0.0.1", port: 9000)), ("localhost:0", .tcp(host: "127.0.0.1", port: 0)),
        ("127.1.2.3:80", .tcp(host: "127.1.2.3", port: 80)), ("fd:0", .inherited(fd: 0)), ("fd:3", .inherited(fd: 3)),
    ])
    func valid(text: String, expected: ListenAddress) throws {
        #expect(try ListenAddress(parsing: text) == expected)
    }

    @Test(arguments: [
        "unix:relative.sock", "0.0.0.0:9000", "10.0.0.1:9000", "example.com:9000", "127.0.0.1:70000", "127.0.0.1:",
        "fd:-1", "fd:", "nonsense", "unix:/" + String(repeating: "a", count: 120),
    ])
    func invalid(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }
}

@Suite struct ResponseEncoderTests {
    let request = Request(method: "GET", path: "/x", requestID: "rid")

    @Test func writesStatusHeadersLengthAndRequestID() {
        let response = Response(status: 404, contentType: "text/plain", body: "gone")
        let (bytes, status) = ResponseEncoder.encode(response, request: request, logger: Logger(label: "test"))
        #expect(status == 404)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "Status: 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nX-Request-Id: rid\r\n\r\ngone")
    }

    @Test func lengthAndRequestIDSetByAHandlerAreReplaced() {
        let response = Response(status: 200, headers: HTTPHeaders([("content-length", "999"), ("X-REQUEST-ID", "forged")]), body: Array("ok".utf8))
        let (bytes, _) = ResponseEncoder.encode(response, request: request, logger: Logger(label: "test"))
        #expect(String(decoding: bytes, as: UTF8.self) == "Status: 200 OK\r\nContent-Length: 2\r\nX-Request-Id: rid\r\n\r\nok")
    }

    @Test(arguments: [("X-Evil", "a\r\nSet-Cookie: x=1"), ("X-Evil", "a\nb"), ("Bad Name", "v"), ("", "v"), ("X:Y", "v")])
    func aHeaderThatWouldSplitTheResponseBecomes500(name: String, value: String) {
        let response = Response(status: 200, headers: HTTPHeaders([(name, value)]))
        let (bytes, status) = ResponseEncoder.encode(response, request: request, logger: Logger(label: "test"))
        #expect(status == 500)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("Set-Cookie"))
    }
}
