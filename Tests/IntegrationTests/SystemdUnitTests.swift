import Foundation
import Testing

/// The production units as systemd reads them, pointed at this build's binary and the example env file.
@Suite struct SystemdUnitTests {
    @Test func unitsVerifyWithoutAWord() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = Stack.packageRoot.appendingPathComponent("deploy/systemd")
        let names = ["coupon-admin.socket", "coupon-admin.service", "coupon-admin-backup.service", "coupon-admin-backup.timer"]
        for name in names {
            let text = try String(contentsOf: units.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "/usr/bin/coupon-admin", with: Stack.workerBinary)
                .replacingOccurrences(
                    of: "/etc/coupon-admin/coupon-admin.env",
                    with: Stack.packageRoot.appendingPathComponent("deploy/coupon-admin.env.example").path)
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let (status, output) = try Stack.run(
            "/usr/bin/systemd-analyze",
            ["verify"] + names.map { directory.appendingPathComponent($0).path },
            check: false)
        #expect(status == 0)
        #expect(output.isEmpty, "systemd-analyze: \(output)")
    }
}
