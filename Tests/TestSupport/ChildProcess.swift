import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started for a test with `posix_spawn`: default signal handling and an empty signal mask
/// whatever thread starts it, its output in a file, and reaped by this type alone.
public final class ChildProcess: @unchecked Sendable {
    // Safe: `exitStatus` is only touched with `lock` held.
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// - Parameters:
    ///   - environment: nil to inherit this process's environment.
    ///   - standardInput: a descriptor to pass as fd 0; /dev/null when nil.
    ///   - outputPath: where standard output and standard error go (appended).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        standardInput: Int32? = nil, outputPath: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentStrings = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + environmentStrings).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environmentStrings)
        guard result == 0 else { throw SocketError(description: "cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    public var isRunning: Bool { status(waiting: false) == nil }

    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// The exit status (128 + N when killed by signal N), or nil if still running after `limit`.
    public func wait(upTo limit: Duration) -> Int32? {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            if let status = status(waiting: false) { return status }
            usleep(5_000)
        }
        return status(waiting: false)
    }

    private func status(waiting: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, waiting ? 0 : WNOHANG) == pid else { return nil }
        let signal = raw & 0x7F
        exitStatus = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    /// Runs a program to the end; its exit status and everything it printed.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, limit: Duration = .seconds(60)
    ) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "child-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        let child = try ChildProcess(executable, arguments, environment: environment, outputPath: outputPath)
        guard let status = child.wait(upTo: limit) else {
            child.send(SIGKILL)
            _ = child.wait(upTo: .seconds(5))
            throw SocketError(description: "\(executable) did not finish within \(limit)")
        }
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}
