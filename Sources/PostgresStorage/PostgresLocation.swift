import Foundation

/// Where a PostgreSQL database is, as `COUPON_ADMIN_DATABASE` names it:
/// `postgres://USER@HOST:PORT/DATABASE?sslmode=require`, or `postgres://USER@/DATABASE?host=/run/postgresql`
/// for a unix socket's folder, as libpq reads them. The password comes from a file of its own
/// (`COUPON_ADMIN_DATABASE_PASSWORD_FILE`), never from the URL: a URL shows in process lists and logs.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file, as PostgreSQL names it inside the folder: `.s.PGSQL.PORT`.
        case unixSocket(path: String)
    }

    /// `sslmode`: `disable`, or `require` (encrypted, the server's certificate not checked), or
    /// `verify-full` (checked against the system's authorities and the host name).
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var tls: TLSMode
    public var password: String?

    /// Reads `url`, and the password from the first line of `passwordFile` when one is named.
    public init(url: String, passwordFile: String? = nil) throws(Problem) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let components = URLComponents(string: url) else {
            throw Problem(description: "\(Self.redacted(url)) is not a postgres:// URL")
        }
        guard components.password == nil else {
            throw Problem(description: "the URL holds a password; name a file holding it in COUPON_ADMIN_DATABASE_PASSWORD_FILE instead")
        }
        guard let user = components.user, !user.isEmpty else { throw Problem(description: "the URL names no user: postgres://USER@HOST/DATABASE") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw Problem(description: "the URL names no database: postgres://USER@HOST/DATABASE") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["sslmode", "host"].contains(item.name), query[item.name] == nil, let value = item.value else {
                throw Problem(description: "the URL's query takes sslmode and host, each once, with a value; not \(item.name)")
            }
            query[item.name] = value
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Problem(description: "the port must be from 1 to 65535") }
        guard let mode = TLSMode(rawValue: query["sslmode"] ?? "require") else {
            throw Problem(description: "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let folder = query["host"] {
            guard folder.hasPrefix("/"), components.host?.isEmpty ?? true else {
                throw Problem(description: "host= names a socket folder (an absolute path), in place of a host name")
            }
            guard mode == .disable || query["sslmode"] == nil else {
                throw Problem(description: "a unix socket takes no TLS: leave sslmode out, or set it to disable")
            }
            endpoint = .unixSocket(path: folder + "/.s.PGSQL.\(port)")
            tls = .disable
        } else {
            guard let host = components.host, !host.isEmpty else { throw Problem(description: "the URL names no host") }
            endpoint = .tcp(host: host, port: port)
            tls = mode
        }
        self.user = user
        self.database = database
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw Problem(description: "the password file \(passwordFile) cannot be read")
            }
            password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
    }

    /// The location without its password, for logs and messages.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port): "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
        case .unixSocket(let path): "postgres://\(user)@/\(database) (socket \(path))"
        }
    }

    /// `url` with whatever stands between `://` and `@` replaced, so that no password is repeated.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "…" + String(url[at...])
    }
}
