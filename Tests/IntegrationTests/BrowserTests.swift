import Foundation
import TestSupport
import Testing

/// The admin pages in a real browser (Debian's chromium and chromium-driver through python3-selenium,
/// which deploy/test.sh installs), against nginx, the worker and the WeChat sandbox on loopback. The
/// steps are in Tests/Browser/admin_pages.py and back_office.py; screenshots go to .test-output/browser/.
/// One browser run at a time: the machine has two cores.
@Suite(.serialized) struct BrowserTests {
    static let script = Stack.packageRoot.appendingPathComponent("Tests/Browser/admin_pages.py").path
    static let backOffice = Stack.packageRoot.appendingPathComponent("Tests/Browser/back_office.py").path
    static let output = Stack.packageRoot.appendingPathComponent(".test-output/browser").path

    @Test func staffCreateEveryTypeAndSeeItOnWeChat() throws {
        for needed in ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/lib/python3/dist-packages/selenium"] {
            #expect(FileManager.default.fileExists(atPath: needed), "\(needed) is missing: deploy/test.sh installs chromium, chromium-driver and python3-selenium")
        }
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let password = "browser-test-password"
        try stack.addStaff("mei.lin", role: "editor", password: password)
        let prefix = "browser-\(UUID().uuidString.prefix(6).lowercased())"
        let (status, output) = try Stack.run("/usr/bin/python3", [Self.script], environment: [
            "PATH": "/usr/bin:/bin", "HOME": stack.stateDirectory.path, "BASE_URL": "http://127.0.0.1:\(stack.port)",
            "STAFF_NAME": "mei.lin", "STAFF_PASSWORD": password, "OUTPUT_DIR": Self.output, "COUPON_PREFIX": prefix,
        ], check: false)
        #expect(status == 0, "the browser steps failed:\n\(output)")

        // Each coupon made through the form is on WeChat's side, as the sandbox keeps it.
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        for type in [1, 2, 3, 4, 5, 6, 101, 102, 103, 104] {
            let answer = try sandbox.coupon("get", token: token, #"{"out_coupon_id":"\#(prefix)-\#(type)"}"#)
            #expect(answer["errcode"] as? Int == 0, "\(prefix)-\(type) on WeChat: \(answer)")
            let coupon = (answer["result"] as? [String: Any])?["coupon"] as? [String: Any]
            #expect(coupon?["type"] as? Int == type, "\(prefix)-\(type): \(answer)")
        }
        for screenshot in ["list", "form", "coupon"].flatMap({ ["\($0)-phone.png", "\($0)-desktop.png"] }) {
            #expect(FileManager.default.fileExists(atPath: Self.output + "/" + screenshot), "\(screenshot)")
        }
        #expect(!stack.workerLog.contains("status=500"))
    }

    @Test func anAdminRunsTheTeamTheKeysAndTheSpreadsheetsAndNoEditIsLost() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let password = "browser-admin-password"
        try stack.addStaff("zhao.admin", role: "admin", password: password)
        let prefix = "office-\(UUID().uuidString.prefix(6).lowercased())"
        let (status, output) = try Stack.run("/usr/bin/python3", [Self.backOffice], environment: [
            "PATH": "/usr/bin:/bin", "HOME": stack.stateDirectory.path, "BASE_URL": "http://127.0.0.1:\(stack.port)",
            "ADMIN_NAME": "zhao.admin", "ADMIN_PASSWORD": password, "OUTPUT_DIR": Self.output, "COUPON_PREFIX": prefix,
            // admin_pages.py, whose helpers it uses, reads these too.
            "STAFF_NAME": "zhao.admin", "STAFF_PASSWORD": password,
        ], check: false)
        #expect(status == 0, "the browser steps failed:\n\(output)")
        print(output)

        // The 28 coupons voided in bulk are voided on WeChat's side, as the sandbox keeps them.
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        for number in [3, 30] {
            let answer = try sandbox.coupon("get", token: token, #"{"out_coupon_id":"\#(prefix)-bulk-\#(String(format: "%02d", number))"}"#)
            #expect(((answer["result"] as? [String: Any])?["coupon"] as? [String: Any])?["status"] as? Int == 4, "\(prefix)-bulk-\(number) on WeChat: \(answer)")
        }
        #expect(!stack.workerLog.contains("status=500"))
    }
}
