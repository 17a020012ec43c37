import Testing
@testable import FastCGI

@Suite struct RequestParamsTests {
    /// What nginx sends for `GET /healthz` with Debian's fastcgi_params and coupon-admin-fastcgi.conf.
    static let nginxParams: [String: String] = [
        "QUERY_STRING": "", "REQUEST_METHOD": "GET", "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
        "SCRIPT_NAME": "/healthz", "REQUEST_URI": "/healthz", "DOCUMENT_URI": "/healthz",
        "DOCUMENT_ROOT": "/tmp/html", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "http",
        "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "nginx/1.22.1", "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "38070", "REMOTE_USER": "", "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "18080",
        "SERVER_NAME": "_", "REDIRECT_STATUS": "200", "HTTP_HOST": "127.0.0.1",
        "REQUEST_ID": "4103747a854c3dbf35fa76c9e8d8883a", "MOUNT_PATH": "", "HTTP_USER_AGENT": "curl/7.88.1",
        "HTTP_ACCEPT": "*/*",
    ]

    @Test func nginxRequestAtTheRoot() {
        let request = Request(params: Self.nginxParams, body: [])
        #expect(request.method == "GET")
        #expect(request.path == "/healthz")
        #expect(request.mountPath == "")
        #expect(request.fullPath == "/healthz")
        #expect(request.query == "")
        #expect(request.requestID == "4103747a854c3dbf35fa76c9e8d8883a")
        #expect(request.remoteAddress == "127.0.0.1")
        #expect(request.headers["User-Agent"] == "curl/7.88.1")
        #expect(request.headers["host"] == "127.0.0.1")
        #expect(request.headers["content-type"] == nil)
        #expect(!request.isHTTPS)
    }
}
