import Foundation
import Testing

/// The production renderings that the stack tests do not serve: TLS, and the values a sysadmin passes.
@Suite struct NginxConfigurationTests {
    @Test func theTLSServerBlockIsValidNginx() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("state"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try Stack.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=coupons.example.com",
            "-keyout", key, "-out", cert,
        ])
        let conf = directory.appendingPathComponent("conf").path
        try Stack.run("/bin/bash", [
            Stack.packageRoot.appendingPathComponent("deploy/render-nginx.sh").path, conf,
            "SERVER_NAME=coupons.example.com", "LISTEN=127.0.0.1:\(try Stack.freePort())", "TLS_CERT=\(cert)", "TLS_KEY=\(key)",
        ])
        let server = try String(contentsOfFile: conf + "/coupon-admin.conf", encoding: .utf8)
        #expect(server.contains("ssl http2;"))
        #expect(server.contains("ssl_certificate \(cert);"))
        #expect(server.contains("Strict-Transport-Security"))
        #expect(!server.contains("#tls") && !server.contains("#plain"))

        let state = directory.appendingPathComponent("state").path
        let wrapper = directory.appendingPathComponent("nginx.conf")
        try """
        pid \(state)/nginx.pid;
        events {}
        http {
            include /etc/nginx/mime.types;
            include \(conf)/coupon-admin.conf;
            server { listen 127.0.0.1:\(try Stack.freePort()); include \(conf)/coupon-admin-prefix.conf; }
        }
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        let (status, output) = try Stack.run(
            Stack.nginxBinary, ["-t", "-e", "\(state)/error.log", "-p", state, "-c", wrapper.path], check: false)
        #expect(status == 0, "\(output)")
        #expect(output.contains("test is successful"))
    }

    @Test func badRenderValuesAreRefused() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-render-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = Stack.packageRoot.appendingPathComponent("deploy/render-nginx.sh").path
        let (unknown, unknownOutput) = try Stack.run("/bin/bash", [script, directory.path, "SERVER_NAM=x"], check: false)
        #expect(unknown == 2)
        #expect(unknownOutput.contains("unknown name 'SERVER_NAM'"))
        let (halfTLS, halfTLSOutput) = try Stack.run("/bin/bash", [script, directory.path, "TLS_CERT=/x.pem"], check: false)
        #expect(halfTLS == 2)
        #expect(halfTLSOutput.contains("TLS_CERT and TLS_KEY go together"))
        let (badAllow, badAllowOutput) = try Stack.run("/bin/bash", [script, directory.path, "METRICS_ALLOW=127.0.0.1 all;"], check: false)
        #expect(badAllow == 2)
        #expect(badAllowOutput.contains("METRICS_ALLOW: 'all;' is not an address or a CIDR range"), "\(badAllowOutput)")
    }
}
