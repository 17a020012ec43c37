import Foundation
import Logging
import PostgresNIO
@testable import PostgresStorage
import TestSupport
import Testing

/// Connections to a throwaway PostgreSQL cluster that the test starts and removes.
@Suite struct PostgresConnectionTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aLocationsURLReachesTheClusterThroughItsSocket() async throws {
        let cluster = try PostgresCluster(database: "shop")
        defer { cluster.stop() }
        let connection = try await PostgresDatabase.connect(to: try PostgresLocation(url: cluster.url), logger: logger)
        var answers: [String] = []
        for try await (database, user) in try await connection.query("SELECT current_database(), current_user", logger: logger).decode((String, String).self) {
            answers.append("\(database) \(user)")
        }
        try await connection.close()
        #expect(answers == ["shop coupon_admin"])
        #expect(try cluster.query("SELECT 40 + 2") == "42")
    }

    @Test func theClusterIsGoneOnceStopped() throws {
        let cluster = try PostgresCluster()
        let folder = cluster.folder.url.path
        #expect(FileManager.default.fileExists(atPath: folder + "/.s.PGSQL.5432"))
        cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}
