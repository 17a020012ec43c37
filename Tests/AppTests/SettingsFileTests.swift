import Foundation
import TestSupport
import Testing
@testable import App

@Suite struct SettingsFileTests {
    @Test func readsNameValueLinesAsSystemdDoes() throws {
        let values = try SettingsFile.parse("""
            # a comment
            ; another
              COUPON_ADMIN_DATABASE=/var/lib/coupon-admin/coupon-admin.sqlite

            COUPON_ADMIN_TIME_ZONE = "Asia/Shanghai"
            COUPON_ADMIN_WECHAT_SECRET="a \\"quoted\\" secret"
            COUPON_ADMIN_LOG_LEVEL='notice'
            COUPON_ADMIN_WECHAT_APPID=
            """, path: "test.env")
        #expect(values == [
            "COUPON_ADMIN_DATABASE": "/var/lib/coupon-admin/coupon-admin.sqlite", "COUPON_ADMIN_TIME_ZONE": "Asia/Shanghai",
            "COUPON_ADMIN_WECHAT_SECRET": #"a "quoted" secret"#, "COUPON_ADMIN_LOG_LEVEL": "notice", "COUPON_ADMIN_WECHAT_APPID": "",
        ])
    }

    @Test(arguments: ["just words", "=value", "COUPON ADMIN=x", #"COUPON_ADMIN_LISTEN="unclosed"#, "COUPON_ADMIN_CONFIG=/etc/other.env"])
    func aLineThatIsNoSettingIsAnErrorNamingIt(line: String) {
        #expect {
            try SettingsFile.parse("COUPON_ADMIN_LOG_LEVEL=info\n\(line)\n", path: "/etc/x.env")
        } throws: { error in
            "\(error)".hasPrefix("/etc/x.env, line 2:")
        }
    }

    @Test func theEnvironmentWinsOverTheFileAndTheDefaultFileIsReadOnlyWhenItExists() throws {
        let directory = try TemporaryDirectory("ca-settings")
        defer { directory.remove() }
        let file = directory.path("coupon-admin.env")
        try "COUPON_ADMIN_DATABASE=/from/file.sqlite\nCOUPON_ADMIN_LOG_LEVEL=debug\n".write(toFile: file, atomically: true, encoding: .utf8)

        let merged = try SettingsFile.environment(["COUPON_ADMIN_LOG_LEVEL": "error", "HOME": "/root"], defaultPath: file)
        #expect(merged == ["COUPON_ADMIN_DATABASE": "/from/file.sqlite", "COUPON_ADMIN_LOG_LEVEL": "error", "HOME": "/root"])
        #expect(try SettingsFile.environment(["HOME": "/root"], defaultPath: directory.path("none.env")) == ["HOME": "/root"])
        // Named by the variable or the flag, the file must be there.
        #expect(try SettingsFile.environment([SettingsFile.pathVariable: file], defaultPath: "/nonexistent")["COUPON_ADMIN_DATABASE"] == "/from/file.sqlite")
        #expect { try SettingsFile.environment([:], flag: directory.path("none.env")) } throws: { "\($0)".contains("none.env") }
        #expect(try SettingsFile.environment([SettingsFile.pathVariable: "/dev/null"]) == [SettingsFile.pathVariable: "/dev/null"], "no settings at all")
        let fromFile = try Configuration(environment: try SettingsFile.environment([:], flag: file))
        #expect(fromFile.databasePath == "/from/file.sqlite" && fromFile.ignoredVariables.isEmpty)
    }
}
