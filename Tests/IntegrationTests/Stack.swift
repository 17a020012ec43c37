import Foundation
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

struct StackError: Error, CustomStringConvertible {
    let description: String
}

/// The real thing on loopback: nginx with the configuration rendered from nginx/ by
/// deploy/render-nginx.sh, and the coupon-admin binary the build made, each with its files in a
/// temporary folder.
final class Stack {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The worker binary built beside this test bundle, or `COUPON_ADMIN_BIN`.
    static var workerBinary: String {
        if let path = ProcessInfo.processInfo.environment["COUPON_ADMIN_BIN"] { return path }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("coupon-admin").path
    }

    let directory: URL
    let socketPath: String
    /// The CouponAdmin server block, at the root.
    let port: UInt16
    /// The stand-in for a merchant's site, with CouponAdmin under /coupon-admin.
    let prefixPort: UInt16
    private(set) var worker: ChildProcess?
    private var nginx: ChildProcess?
    /// An admin API key made with `coupon-admin keys create`, sent with every request but those that
    /// carry an Authorization of their own or ask to go without.
    private(set) var apiKey = ""

    var stateDirectory: URL { directory.appendingPathComponent("state") }
    var databasePath: String { stateDirectory.appendingPathComponent("coupon-admin.sqlite").path }
    var workerLog: String { (try? String(contentsOf: stateDirectory.appendingPathComponent("worker.log"), encoding: .utf8)) ?? "" }

    /// The worker's log lines containing `text`, once there is at least one: the worker writes its
    /// access lines in batches.
    func workerLogLines(containing text: String) throws -> [Substring] {
        var lines: [Substring] = []
        try waitFor("a log line with \(text)", within: .seconds(5)) {
            lines = workerLog.split(separator: "\n").filter { $0.contains(text) }
            return !lines.isEmpty
        }
        return lines
    }

    /// - Parameters:
    ///   - workerArguments: extra `serve` flags.
    ///   - nginxMaxBodyBytes: nginx's client_max_body_size, when it should differ from the worker's default.
    ///   - nginxValues: more `NAME=VALUE`s for deploy/render-nginx.sh.
    init(workerArguments: [String] = [], nginxMaxBodyBytes: Int = 1_048_576, nginxValues: [String] = []) throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("state"), withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("worker.sock").path
        port = try Self.freePort()
        prefixPort = try Self.freePort()

        try Self.run("/bin/bash", [
            Self.packageRoot.appendingPathComponent("deploy/render-nginx.sh").path,
            directory.appendingPathComponent("conf").path,
            "STATE_DIR=\(stateDirectory.path)", "LISTEN=127.0.0.1:\(port)", "PREFIX_LISTEN=127.0.0.1:\(prefixPort)",
            "SOCKET=\(socketPath)", "STATIC_ROOT=\(Self.packageRoot.appendingPathComponent("nginx/static").path)",
            "MAX_BODY_BYTES=\(nginxMaxBodyBytes)",
        ] + nginxValues)
        apiKey = try makeAPIKey(name: "integration-tests", role: "admin")
        try startWorker(arguments: workerArguments)
        try startNginx()
    }

    /// A new API key from the CLI, on this stack's database.
    func makeAPIKey(name: String, role: String) throws -> String {
        let output = try Self.run(Self.workerBinary, ["keys", "create", "--name", name, "--role", role, "--database", databasePath]).output
        guard let key = output.split(separator: "\n").first(where: { $0.hasPrefix("cak_") }) else {
            throw StackError(description: "keys create printed no key:\n\(output)")
        }
        return String(key)
    }

    /// A staff account made with `coupon-admin users add`, the password given on standard input.
    func addStaff(_ name: String, role: String, password: String) throws {
        try Self.run("/bin/sh", ["-c", #"printf '%s\n' "$1" | "$0" users add "$2" --role "$3" --database "$4""#,
                                 Self.workerBinary, password, name, role, databasePath])
    }

    deinit {
        // nginx's master stops its workers on SIGTERM; killed outright it would leave them running.
        for process in [worker, nginx].compactMap({ $0 }) where process.isRunning {
            process.send(SIGTERM)
            if process.wait(upTo: .seconds(10)) == nil {
                process.send(SIGKILL)
                _ = process.wait(upTo: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func startWorker(arguments: [String] = []) throws {
        let process = try launch(Self.workerBinary, ["serve", "--listen", "unix:\(socketPath)", "--database", databasePath] + arguments, log: "worker.log")
        worker = process
        // The file alone proves nothing: a killed worker leaves a stale one behind.
        try waitFor("the worker's socket") { (try? TestSocket(unixPath: self.socketPath)) != nil || !process.isRunning }
        guard process.isRunning else { throw StackError(description: "the worker exited at start:\n\(workerLog)") }
    }

    /// Another worker process on the same database, listening on `listen`; stopped by its caller.
    func launchWorker(listen: String, arguments: [String], log: String) throws -> ChildProcess {
        try launch(Self.workerBinary, ["serve", "--listen", listen, "--database", databasePath] + arguments, log: log)
    }

    private func startNginx() throws {
        let process = try launch(Self.nginxBinary, [
            "-e", stateDirectory.appendingPathComponent("nginx-error.log").path, "-p", stateDirectory.path,
            "-c", directory.appendingPathComponent("conf/nginx.conf").path, "-g", "daemon off;",
        ], log: "nginx.out")
        nginx = process
        try waitFor("nginx on port \(port)") { (try? TestSocket(port: self.port)) != nil || !process.isRunning }
        guard process.isRunning else {
            let errors = (try? String(contentsOf: stateDirectory.appendingPathComponent("nginx-error.log"), encoding: .utf8)) ?? ""
            throw StackError(description: "nginx exited at start:\n\(errors)")
        }
    }

    /// Sends `signal` to the worker (none for 0) and waits for it to exit; its exit status and how long it took.
    func stopWorker(signal: Int32 = SIGTERM, within limit: Duration = .seconds(20)) throws -> (status: Int32, took: Duration) {
        guard let worker else { throw StackError(description: "no worker") }
        let started = ContinuousClock.now
        if signal != 0 { worker.send(signal) }
        guard let status = worker.wait(upTo: limit) else { throw StackError(description: "the worker did not exit") }
        return (status, ContinuousClock.now - started)
    }

    func get(_ path: String, port: UInt16? = nil, headers: [String: String] = [:], authorized: Bool = true) throws -> HTTPResponse {
        try request("GET", path, port: port, headers: headers, authorized: authorized)
    }

    func request(
        _ method: String, _ path: String, port: UInt16? = nil, headers: [String: String] = [:], body: [UInt8] = [], authorized: Bool = true
    ) throws -> HTTPResponse {
        var headers = headers
        if authorized && !headers.keys.contains(where: { $0.lowercased() == "authorization" }) {
            headers["Authorization"] = "Bearer \(apiKey)"
        }
        return try HTTPClient.request(port: port ?? self.port, method, path, headers: headers, body: body)
    }

    static var nginxBinary: String {
        ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "nginx (not installed: deploy/test.sh installs it)"
    }

    private func launch(_ executable: String, _ arguments: [String], log: String, standardInput: Int32? = nil) throws -> ChildProcess {
        try ChildProcess(executable, arguments, standardInput: standardInput, outputPath: stateDirectory.appendingPathComponent(log).path)
    }

    /// Starts the worker the way spawn-fcgi and systemd do: the listening socket on its fd 0.
    func startWorkerOnInheritedSocket(_ listeningFD: Int32) throws -> ChildProcess {
        let process = try launch(Self.workerBinary, ["serve", "--listen", "fd:0", "--database", databasePath], log: "worker.log", standardInput: listeningFD)
        worker = process
        return process
    }

    private func waitFor(_ what: String, within limit: Duration = .seconds(20), _ condition: () -> Bool) throws {
        let started = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - started < limit else { throw StackError(description: "timed out waiting for \(what)") }
            usleep(10_000)
        }
    }

    /// Runs a program to its end; throws when `check` is set and it fails.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, check: Bool = true
    ) throws -> (status: Int32, output: String) {
        let (status, output) = try ChildProcess.run(executable, arguments, environment: environment)
        if check && status != 0 {
            throw StackError(description: "\(executable) \(arguments.joined(separator: " ")) failed:\n\(output)")
        }
        return (status, output)
    }

    /// Where the next free port is looked for: below the kernel's ephemeral range (32768 up), where no
    /// client connection can take a port between this check and the server's bind, and handed out in
    /// turn, so that tests running at once never get the same one.
    private static let nextPort = Mutex<Int>(20_000 + Int.random(in: 0..<10_000))

    /// The first of `count` consecutive loopback ports that nothing listens on.
    static func freePort(count: Int = 1) throws -> UInt16 {
        for _ in 0..<500 {
            let first = nextPort.withLock { port in
                if port + count > 32_000 { port = 20_000 }
                defer { port += count }
                return port
            }
            if (first..<(first + count)).allSatisfy(canBind) { return UInt16(first) }
        }
        throw StackError(description: "no free port")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
