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

@Suite struct RequestBuildingTests {
    func request(_ extra: [String: String]) -> Request {
        var params = RequestParamsTests.nginxParams
        params.merge(extra) { $1 }
        return Request(params: params, body: [], makeRequestID: { "generated" })
    }

    @Test func underAMountPoint() {
        let request = request(["REQUEST_URI": "/coupon-admin/api/v1/coupons?limit=5", "MOUNT_PATH": "/coupon-admin/", "QUERY_STRING": "limit=5"])
        #expect(request.mountPath == "/coupon-admin")
        #expect(request.path == "/api/v1/coupons")
        #expect(request.query == "limit=5")
        #expect(request.url(for: "/healthz") == "/coupon-admin/healthz")
        #expect(request.url(for: "healthz") == "/coupon-admin/healthz")
        #expect(request.fullPath == "/coupon-admin/api/v1/coupons")
    }

    @Test func theMountPointItself() {
        #expect(request(["REQUEST_URI": "/coupon-admin", "MOUNT_PATH": "/coupon-admin"]).path == "/")
    }

    @Test func aPathOutsideTheMountPointIsKeptWhole() {
        let request = request(["REQUEST_URI": "/coupon-administrator/x", "DOCUMENT_URI": "/coupon-administrator/x", "MOUNT_PATH": "/coupon-admin"])
        #expect(request.mountPath == "")
        #expect(request.path == "/coupon-administrator/x")
    }

    @Test func encodedSlashesStayEncoded() {
        #expect(request(["REQUEST_URI": "/api/v1/coupons/a%2Fb", "DOCUMENT_URI": "/api/v1/coupons/a/b"]).path == "/api/v1/coupons/a%2Fb")
    }

    @Test func queryFromTheURIWhenQueryStringIsMissing() {
        var params = RequestParamsTests.nginxParams
        params["QUERY_STRING"] = nil
        params["REQUEST_URI"] = "/x?a=1&b=2"
        #expect(Request(params: params, body: []).query == "a=1&b=2")
    }

    @Test func headersContentTypeAndLength() {
        let request = request(["CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "12", "HTTP_X_FORWARDED_FOR": "10.0.0.1", "HTTP_ACCEPT_LANGUAGE": "zh-CN"])
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["content-length"] == "12")
        #expect(request.headers["X-Forwarded-For"] == "10.0.0.1")
        #expect(request.headers["accept-language"] == "zh-CN")
    }

    @Test func httpsFromNginx() {
        #expect(request(["HTTPS": "on"]).isHTTPS)
        #expect(!request(["HTTPS": ""]).isHTTPS)
    }

    @Test(arguments: ["", String(repeating: "a", count: 129), "abc def", "abc\nforged=1", "id;rm"])
    func anUnsafeRequestIDIsReplaced(id: String) {
        #expect(request(["REQUEST_ID": id]).requestID == "generated")
    }

    @Test func aSafeRequestIDIsKept() {
        #expect(request(["REQUEST_ID": "Ab-9_x.1"]).requestID == "Ab-9_x.1")
    }
}
