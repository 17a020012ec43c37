import Logging
import NIOSSL
import PostgresNIO

/// Connections to the PostgreSQL database a `PostgresLocation` names.
public enum PostgresDatabase {
    /// One connection, with TLS as the location's `sslmode` asks.
    public static func connect(to location: PostgresLocation, logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try configuration(location), id: 1, logger: logger)
    }

    static func configuration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        switch location.endpoint {
        case .unixSocket(let path):
            return .init(unixSocketPath: path, username: location.user, password: location.password, database: location.database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            switch location.tls {
            case .disable:
                tls = .disable
            case .require:
                var unchecked = TLSConfiguration.makeClientConfiguration()
                unchecked.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: unchecked))
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            return .init(host: host, port: port, username: location.user, password: location.password, database: location.database, tls: tls)
        }
    }
}
