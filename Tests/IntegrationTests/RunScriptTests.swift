import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// deploy/run.sh as a user runs it, on the binary this build made (no second, release build here).
@Suite(.serialized) struct RunScriptTests {
    let state = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-run-\(UUID().uuidString.prefix(8))")

    /// Starts run.sh and waits until it says it is running and nginx answers.
    func startRunScript(port: UInt16) throws -> ChildProcess {
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: state.appendingPathComponent("run.out"))
        let script = Stack.packageRoot.appendingPathComponent("deploy/run.sh").path
        // No WeChat settings: run.sh starts the sandbox in WeChat's place.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COUPON_ADMIN_") }
        let run = try ChildProcess("/bin/bash", [
            script, "--binary", Stack.workerBinary, "--address", "127.0.0.1:\(port)", "--state", state.appendingPathComponent("s").path,
        ], environment: environment, outputPath: state.appendingPathComponent("run.out").path)
        let started = ContinuousClock.now
        while !output.contains("CouponAdmin is running.") || (try? HTTPClient.request(port: port, "GET", "/healthz").status) != 200 {
            guard run.isRunning, ContinuousClock.now - started < .seconds(120) else {
                throw StackError(description: "run.sh did not come up:\n" + output)
            }
            usleep(50_000)
        }
        return run
    }

    /// Stops what a run may have left behind when a test failed half-way, then removes the state.
    func cleanUp() {
        for name in ["nginx.pid", "worker.pid", "sandbox.pid"] {
            let file = state.appendingPathComponent("s/\(name)").path
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
        usleep(300_000)
        try? FileManager.default.removeItem(at: state)
    }

    var output: String { (try? String(contentsOf: state.appendingPathComponent("run.out"), encoding: .utf8)) ?? "" }

    /// Three free ports in a row: run.sh puts the prefix-mounted site on the second, the sandbox on the third.
    /// run.sh's three: the site, the stand-in site with the prefix, the sandbox.
    func freePorts() throws -> UInt16 {
        try Stack.freePort(count: 3)
    }

    @Test func servesStopsOnCtrlCAndRunsAgain() throws {
        defer { cleanUp() }
        let port = try freePorts()
        var key = ""
        for round in 1...2 {
            let run = try startRunScript(port: port)
            #expect(output.contains("Admin pages: http://127.0.0.1:\(port)/admin/"), "run.sh prints the URL")
            #expect(try HTTPClient.request(port: port + 1, "GET", "/coupon-admin/healthz").status == 200)
            #expect(output.contains("WeChat: the local sandbox at http://127.0.0.1:\(port + 2)/"))
            // The first start makes an admin account and an editor key and shows them; later starts do not.
            let keyLine = output.split(separator: "\n").first { $0.hasPrefix("Editor API key (first start, shown once): cak_") }
            #expect((keyLine != nil) == (round == 1), "\(output)")
            #expect(output.contains("Admin account (first start, shown once): admin / ") == (round == 1))
            if let keyLine { key = String(keyLine.split(separator: " ").last ?? "") }
            #expect(try HTTPClient.request(port: port, "GET", "/api/v1/coupons").status == 401)
            // A newcomer's first coupon is synced with the sandbox.
            let created = try HTTPClient.request(
                port: port, "POST", "/api/v1/coupons", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(key)"],
                body: Array(WeChatExample.directReduction(id: "first\(round)").utf8)
            )
            #expect(created.status == 201, "\(created.text)")
            #expect((try created.json()["sync"] as? [String: Any])?["state"] as? String == "synced")
            if round == 1 { try logInWithThePrintedAccount(port: port) }
            run.send(SIGINT)
            #expect(run.wait(upTo: .seconds(30)) == 0, "round \(round):\n\(output)")
            #expect((try? TestSocket(port: port)) == nil, "nginx is gone")
            #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("s/worker.sock").path))
            #expect((try? TestSocket(port: port + 2)) == nil, "the sandbox is gone")
        }
    }

    /// The admin account run.sh printed logs in to the admin pages, whose stylesheet nginx serves.
    func logInWithThePrintedAccount(port: UInt16) throws {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("Admin account (first start, shown once): admin / ") })
        let password = String(line.split(separator: " ").last ?? "")
        let login = try HTTPClient.request(
            port: port, "POST", "/admin/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("name=admin&password=\(password)".utf8))
        #expect(login.status == 303 && login.headers["location"] == "/admin/coupons", "\(login.status) \(login.text)")
        let cookie = String(try #require(login.headers["set-cookie"]?.split(separator: ";").first))
        let list = try HTTPClient.request(port: port, "GET", "/admin/coupons", headers: ["Cookie": cookie])
        #expect(list.status == 200 && list.text.contains("data-id=\"first1\""), "\(list.text)")
        let stylesheet = try HTTPClient.request(port: port, "GET", "/static/admin.css")
        #expect(stylesheet.status == 200 && stylesheet.headers["content-type"] == "text/css")
    }

    /// Whichever of its processes dies first, run.sh stops every other one it started (nginx's workers
    /// included, were its master killed) and leaves no pid file behind.
    @Test(arguments: ["worker.pid", "nginx.pid", "sandbox.pid"])
    func whenOneOfItsProcessesDiesEveryOtherIsStopped(pidFile: String) throws {
        defer { cleanUp() }
        let port = try freePorts()
        let run = try startRunScript(port: port)
        let pids = try ["worker.pid", "nginx.pid", "sandbox.pid"].map { name in
            try #require(pid_t(try String(contentsOfFile: state.appendingPathComponent("s/\(name)").path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        kill(pids[["worker.pid", "nginx.pid", "sandbox.pid"].firstIndex(of: pidFile)!], SIGKILL)

        if pidFile == "sandbox.pid" {
            // The sandbox is only a stand-in: run.sh goes on without it until stopped.
            usleep(500_000)
            #expect(run.isRunning)
            run.send(SIGINT)
            #expect(run.wait(upTo: .seconds(30)) == 0, "\(output)")
        } else {
            #expect(run.wait(upTo: .seconds(30)) == 1, "\(output)")
        }
        #expect((try? TestSocket(port: port)) == nil, "nginx and its workers are gone")
        #expect((try? TestSocket(port: port + 2)) == nil, "the sandbox is gone")
        #expect(kill(pids[0], 0) != 0, "the worker is gone")
        #expect(kill(-pids[1], 0) != 0, "nginx's process group is gone")
        #expect(kill(pids[2], 0) != 0, "the sandbox process is gone")
        for name in ["worker.pid", "nginx.pid", "sandbox.pid", "worker.sock"] {
            #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("s/\(name)").path), "\(name) is left behind")
        }
    }

    /// A run killed outright leaves nginx and the worker running; the next run stops them and starts.
    @Test func recoversFromARunThatWasKilled() throws {
        defer { cleanUp() }
        let port = try freePorts()
        let killed = try startRunScript(port: port)
        killed.send(SIGKILL)
        _ = killed.wait(upTo: .seconds(10))
        #expect(try HTTPClient.request(port: port, "GET", "/healthz").status == 200, "its children live on")

        let run = try startRunScript(port: port)
        #expect(try HTTPClient.request(port: port, "GET", "/healthz").status == 200)
        run.send(SIGTERM)
        #expect(run.wait(upTo: .seconds(30)) == 0)
        #expect((try? TestSocket(port: port)) == nil)
    }
}
