import FastCGI
import Foundation
import Testing
@testable import App

@Suite struct ConfigurationTests {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func defaults() throws {
        let configuration = try Configuration(environment: [:])
        #expect(configuration.server.listen == .unix(path: "/run/coupon-admin/worker.sock"))
        #expect(configuration.server.socketMode == 0o660)
        #expect(configuration.server.maxInFlight == 256)
        #expect(configuration.server.listenBacklog == 1024)
        #expect(configuration.server.maxBodyBytes == 1_048_576)
        #expect(configuration.server.shutdownTimeout == .seconds(10))
        #expect(configuration.logLevel == .info)
        #expect(configuration.syncDeadline == .seconds(5))
    }

    @Test func environmentIsRead() throws {
        let configuration = try Configuration(environment: [
            "COUPON_ADMIN_LISTEN": "127.0.0.1:9000",
            "COUPON_ADMIN_SOCKET_MODE": "0600",
            "COUPON_ADMIN_MAX_IN_FLIGHT": "8",
            "COUPON_ADMIN_LISTEN_BACKLOG": "16",
            "COUPON_ADMIN_MAX_BODY_BYTES": "2048",
            "COUPON_ADMIN_SHUTDOWN_TIMEOUT": "2.5",
            "COUPON_ADMIN_LOG_LEVEL": "debug",
            "COUPON_ADMIN_SYNC_DEADLINE": "0.5",
        ])
        #expect(configuration.server.listen == .tcp(host: "127.0.0.1", port: 9000))
        #expect(configuration.server.socketMode == 0o600)
        #expect(configuration.server.maxInFlight == 8)
        #expect(configuration.server.listenBacklog == 16)
        #expect(configuration.server.maxBodyBytes == 2048)
        #expect(configuration.server.shutdownTimeout == .milliseconds(2500))
        #expect(configuration.logLevel == .debug)
        #expect(configuration.syncDeadline == .milliseconds(500))
    }

    @Test func theAnswerCacheHas8MiBUnlessSetAndMayBeTurnedOff() throws {
        #expect(try Configuration(environment: [:]).answerCacheBytes == 8 << 20)
        #expect(try Configuration(environment: ["COUPON_ADMIN_ANSWER_CACHE_MIB": "0"]).answerCacheBytes == 0)
        #expect(try Configuration(environment: [:], flags: [.answerCacheMiB: "64"]).answerCacheBytes == 64 << 20)
    }

    @Test func theClientTimeoutIs10SecondsUnlessSet() throws {
        #expect(try Configuration(environment: [:]).server.clientTimeout == .seconds(10))
        #expect(try Configuration(environment: ["COUPON_ADMIN_CLIENT_TIMEOUT": "0.5"]).server.clientTimeout == .milliseconds(500))
        #expect(try Configuration(environment: [:], flags: [.clientTimeout: "30"]).server.clientTimeout == .seconds(30))
    }

    @Test func theShopsTimeZoneIsAsiaShanghaiUnlessSet() throws {
        #expect(try Configuration(environment: [:]).shopClock.timeZone.identifier == "Asia/Shanghai")
        #expect(try Configuration(environment: ["COUPON_ADMIN_TIME_ZONE": "Europe/Berlin"]).shopClock.timeZone.identifier == "Europe/Berlin")
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let configuration = try Configuration(
            environment: ["COUPON_ADMIN_LISTEN": "127.0.0.1:9000", "COUPON_ADMIN_MAX_IN_FLIGHT": "8"],
            flags: [.listen: "fd:0"]
        )
        #expect(configuration.server.listen == .inherited(fd: 0))
        #expect(configuration.server.maxInFlight == 8)
    }

    @Test(arguments: [
        ("COUPON_ADMIN_MAX_IN_FLIGHT", "0"), ("COUPON_ADMIN_MAX_IN_FLIGHT", "lots"), ("COUPON_ADMIN_MAX_IN_FLIGHT", "5000"),
        ("COUPON_ADMIN_SOCKET_MODE", "0999"), ("COUPON_ADMIN_SOCKET_MODE", "1777"), ("COUPON_ADMIN_LISTEN_BACKLOG", "-1"),
        ("COUPON_ADMIN_MAX_BODY_BYTES", "1m"), ("COUPON_ADMIN_SHUTDOWN_TIMEOUT", "forever"),
        ("COUPON_ADMIN_ANSWER_CACHE_MIB", "-1"), ("COUPON_ADMIN_ANSWER_CACHE_MIB", "8M"), ("COUPON_ADMIN_ANSWER_CACHE_MIB", "5000"),
        ("COUPON_ADMIN_SHUTDOWN_TIMEOUT", "nan"), ("COUPON_ADMIN_LOG_LEVEL", "loud"),
        ("COUPON_ADMIN_LISTEN", "0.0.0.0:9000"), ("COUPON_ADMIN_LISTEN", "relative.sock"), ("COUPON_ADMIN_LISTEN", "fd:x"),
        ("COUPON_ADMIN_TIME_ZONE", "Mars/Olympus"), ("COUPON_ADMIN_TIME_ZONE", "+08:00"),
        ("COUPON_ADMIN_SYNC_DEADLINE", "0"), ("COUPON_ADMIN_SYNC_DEADLINE", "61"),
        ("COUPON_ADMIN_CLIENT_TIMEOUT", "0"), ("COUPON_ADMIN_CLIENT_TIMEOUT", "3601"), ("COUPON_ADMIN_CLIENT_TIMEOUT", "soon"),
    ])
    func badValuesNameTheirVariable(variable: String, value: String) {
        #expect {
            try Configuration(environment: [variable: value])
        } throws: { error in
            "\(error)".contains(variable)
        }
    }

    @Test func badFlagsNameTheFlag() {
        #expect {
            try Configuration(environment: ["COUPON_ADMIN_MAX_IN_FLIGHT": "8"], flags: [.maxInFlight: "-3"])
        } throws: { error in
            "\(error)".contains("--max-in-flight") && "\(error)".contains("-3")
        }
    }

    @Test func unknownVariablesAreFound() {
        let unknown = Configuration.unknownVariables(in: [
            "COUPON_ADMIN_LISTN": "x", "COUPON_ADMIN_LISTEN": "y", "PATH": "/bin",
        ])
        #expect(unknown == ["COUPON_ADMIN_LISTN"])
    }

    /// The README's settings table is the user's only list of settings: it must name every one with its default.
    @Test func readmeListsEverySettingWithItsDefault() throws {
        let readme = packageRoot.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for key in Configuration.Key.allCases {
            let row = text.split(separator: "\n").first { $0.contains("`\(key.environmentName)`") }
            #expect(row != nil, "README has no row for \(key.environmentName)")
            if let flag = key.flag {
                #expect(row?.contains("`\(flag)`") == true, "README row for \(key.environmentName) lacks \(flag)")
            } else {
                #expect(row?.contains("no flag") == true, "README row for \(key.environmentName) should say it has no flag")
            }
            let shownDefault = key.defaultValue.isEmpty ? "unset" : "`\(key.defaultValue)`"
            #expect(row?.contains(shownDefault) == true, "README row for \(key.environmentName) lacks its default")
        }
    }

    /// deploy/coupon-admin.env.example, which sysadmins copy, names every setting and nothing else.
    @Test func envExampleNamesEverySettingAndNothingElse() throws {
        let example = packageRoot.appendingPathComponent("deploy/coupon-admin.env.example")
        let names = try String(contentsOf: example, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            let body = line.hasPrefix("#") ? line.dropFirst() : Substring(line)
            guard body.hasPrefix(Configuration.environmentPrefix), let equals = body.firstIndex(of: "=") else { return nil }
            return String(body[..<equals])
        }
        #expect(Set(names) == Set(Configuration.Key.allCases.map(\.environmentName)))
    }

    @Test func weChatIsOffWithoutAnAppIDAndNeedsASecretWithOne() throws {
        #expect(try Configuration(environment: [:]).wechat == nil)
        let configured = try #require(try Configuration(environment: [
            "COUPON_ADMIN_WECHAT_APPID": "wx123", "COUPON_ADMIN_WECHAT_SECRET": "s3cret",
            "COUPON_ADMIN_WECHAT_API_BASE": "http://127.0.0.1:8090", "COUPON_ADMIN_WECHAT_TOKEN_ENDPOINT": "legacy",
            "COUPON_ADMIN_WECHAT_TIMEOUT": "2.5",
        ]).wechat)
        #expect(configured.appID == "wx123" && configured.secret == "s3cret")
        #expect(configured.baseURL == "http://127.0.0.1:8090")
        #expect(configured.tokenEndpoint == .legacy)
        #expect(configured.connectTimeout == .seconds(3) && configured.totalTimeout == .milliseconds(2500))
        let fromFile = try Configuration(
            environment: ["COUPON_ADMIN_WECHAT_APPID": "wx123", "COUPON_ADMIN_WECHAT_SECRET_FILE": "/etc/secret"],
            readFile: { path in path == "/etc/secret" ? "from-file\n" : "" }
        )
        #expect(fromFile.wechat?.secret == "from-file")
    }

    @Test(arguments: [
        (["COUPON_ADMIN_WECHAT_APPID": "wx1"], "the secret is empty"),
        (["COUPON_ADMIN_WECHAT_SECRET": "s"], "COUPON_ADMIN_WECHAT_APPID is not"),
        (["COUPON_ADMIN_WECHAT_APPID": "wx1", "COUPON_ADMIN_WECHAT_SECRET": "s", "COUPON_ADMIN_WECHAT_SECRET_FILE": "/f"], "both set"),
        (["COUPON_ADMIN_WECHAT_APPID": "wx1", "COUPON_ADMIN_WECHAT_SECRET": "s", "COUPON_ADMIN_WECHAT_API_BASE": "ftp://x"], "COUPON_ADMIN_WECHAT_API_BASE='ftp://x'"),
        (["COUPON_ADMIN_WECHAT_APPID": "wx1", "COUPON_ADMIN_WECHAT_SECRET": "s", "COUPON_ADMIN_WECHAT_TOKEN_ENDPOINT": "x"], "stable or legacy"),
        (["COUPON_ADMIN_WECHAT_APPID": "wx1", "COUPON_ADMIN_WECHAT_SECRET": "s", "COUPON_ADMIN_WECHAT_TIMEOUT": "0"], "COUPON_ADMIN_WECHAT_TIMEOUT='0'"),
    ])
    func badWeChatSettingsStopStartUpNamingThem(environment: [String: String], message: String) {
        #expect {
            try Configuration(environment: environment, readFile: { _ in throw CocoaError(.fileNoSuchFile) })
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("s3cret")
        }
    }

    @Test func anUnreadableSecretFileIsNamed() {
        #expect {
            try Configuration(
                environment: ["COUPON_ADMIN_WECHAT_APPID": "wx1", "COUPON_ADMIN_WECHAT_SECRET_FILE": "/missing"],
                readFile: { _ in throw CocoaError(.fileNoSuchFile) }
            )
        } throws: { error in
            "\(error)".contains("COUPON_ADMIN_WECHAT_SECRET_FILE='/missing': cannot read it")
        }
    }
}
