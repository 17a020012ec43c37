import Foundation
import Glibc

/// A throwaway PostgreSQL cluster for one test: Debian's server (the `postgresql` package, which
/// deploy/test.sh installs) run as the unprivileged `postgres` user, its data folder and unix socket
/// in a temporary folder, listening on no TCP port. Stopped and removed when released, also when the
/// test fails.
public final class PostgresCluster: @unchecked Sendable {
    public let folder: TemporaryDirectory
    public let port = 5432
    /// The cluster's superuser, the role tests connect as (no password: trust on the socket).
    public let user = "coupon_admin"
    public let database: String
    private var server: ChildProcess?

    /// The `postgres://` URL of the cluster's database, through its socket folder.
    public var url: String { "postgres://\(user)@/\(database)?host=\(folder.url.path)" }

    public init(database: String = "coupon_admin") throws {
        self.database = database
        folder = try TemporaryDirectory("ca-pg")
        let binaries = try Self.serverBinaries()
        try Self.asPostgres("/bin/chown", ["postgres:postgres", folder.url.path], asRoot: true)
        try Self.asPostgres(binaries + "/initdb", [
            "-D", folder.path("data"), "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
        ])
        server = try ChildProcess("/usr/sbin/runuser", [
            "-u", "postgres", "--", binaries + "/postgres", "-D", folder.path("data"), "-k", folder.url.path, "-p", String(port),
            "-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off",
        ], outputPath: folder.path("server.log"))
        let socket = folder.path(".s.PGSQL.\(port)")
        let started = ContinuousClock.now
        while !FileManager.default.fileExists(atPath: socket) {
            guard server?.isRunning == true, ContinuousClock.now - started < .seconds(30) else {
                let log = (try? String(contentsOfFile: folder.path("server.log"), encoding: .utf8)) ?? ""
                stop()
                throw SocketError(description: "PostgreSQL did not start:\n\(log)")
            }
            usleep(50_000)
        }
        if database != "postgres" {
            try Self.asPostgres(binaries + "/createdb", ["-h", folder.url.path, "-p", String(port), "-U", user, database])
        }
    }

    deinit { stop() }

    /// Stops the server (a fast shutdown) and removes its folder.
    public func stop() {
        if let server, server.isRunning {
            server.send(SIGINT)
            if server.wait(upTo: .seconds(20)) == nil {
                server.send(SIGKILL)
                _ = server.wait(upTo: .seconds(5))
            }
        }
        server = nil
        folder.remove()
    }

    /// `psql`'s answer to one statement, unaligned and without headers.
    public func query(_ sql: String) throws -> String {
        let (status, output) = try Self.asPostgres("/usr/bin/psql", [
            "-h", folder.url.path, "-p", String(port), "-U", user, "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql,
        ], check: false)
        guard status == 0 else { throw SocketError(description: "psql failed: \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The newest installed server's binaries: /usr/lib/postgresql/VERSION/bin.
    static func serverBinaries() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max(),
              FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(newest)/bin/postgres")
        else { throw SocketError(description: "no PostgreSQL server in /usr/lib/postgresql: deploy/test.sh installs the postgresql package") }
        return "/usr/lib/postgresql/\(newest)/bin"
    }

    @discardableResult
    static func asPostgres(_ executable: String, _ arguments: [String], asRoot: Bool = false, check: Bool = true) throws -> (status: Int32, output: String) {
        let result = asRoot
            ? try ChildProcess.run(executable, arguments)
            : try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"])
        if check, result.status != 0 { throw SocketError(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(result.output)") }
        return result
    }
}
