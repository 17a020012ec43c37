import Foundation
@testable import PostgresStorage
import TestSupport
import Testing

@Suite struct PostgresLocationTests {
    @Test func aURLNamesAHostOrASocketFolderAUserADatabaseAndTLS() throws {
        let tcp = try PostgresLocation(url: "postgres://coupons@db.internal:6432/shop")
        #expect(tcp.endpoint == .tcp(host: "db.internal", port: 6432) && tcp.user == "coupons" && tcp.database == "shop")
        #expect(tcp.tls == .require, "encrypted unless the URL says otherwise")
        #expect(try PostgresLocation(url: "postgresql://coupons@db/shop?sslmode=verify-full").tls == .verifyFull)
        #expect(try PostgresLocation(url: "postgres://coupons@db/shop?sslmode=disable").endpoint == .tcp(host: "db", port: 5432))
        let socket = try PostgresLocation(url: "postgres://coupons@/shop?host=/run/postgresql")
        #expect(socket.endpoint == .unixSocket(path: "/run/postgresql/.s.PGSQL.5432") && socket.tls == .disable)
        #expect(socket.description == "postgres://coupons@/shop (socket /run/postgresql/.s.PGSQL.5432)")
        #expect(tcp.description == "postgres://coupons@db.internal:6432/shop?sslmode=require")
    }

    @Test(arguments: [
        ("/var/lib/shop.sqlite", "is not a postgres:// URL"),
        ("postgres://coupons:secret@db/shop", "the URL holds a password; name a file holding it in COUPON_ADMIN_DATABASE_PASSWORD_FILE instead"),
        ("postgres://db/shop", "the URL names no user: postgres://USER@HOST/DATABASE"),
        ("postgres://coupons@db/", "the URL names no database: postgres://USER@HOST/DATABASE"),
        ("postgres://coupons@db/shop?sslmode=maybe", "sslmode must be one of disable, require, verify-full"),
        ("postgres://coupons@db/shop?timeout=3", "the URL's query takes sslmode and host, each once, with a value; not timeout"),
        ("postgres://coupons@/shop?host=run", "host= names a socket folder (an absolute path), in place of a host name"),
        ("postgres://coupons@/shop?host=/run/postgresql&sslmode=require", "a unix socket takes no TLS: leave sslmode out, or set it to disable"),
    ])
    func aBadURLSaysWhatIsWrong(url: String, problem: String) {
        #expect(throws: PostgresLocation.Problem.self) { try PostgresLocation(url: url) }
        do {
            _ = try PostgresLocation(url: url)
        } catch {
            #expect(error.description.hasSuffix(problem), "\(error.description)")
            #expect(!error.description.contains("secret"), "no password is repeated")
        }
    }

    @Test func thePasswordComesFromItsFileFirstLine() throws {
        let folder = try TemporaryDirectory("ca-pgpass")
        defer { folder.remove() }
        try "s3cret words\nignored\n".write(toFile: folder.path("password"), atomically: true, encoding: .utf8)
        let location = try PostgresLocation(url: "postgres://coupons@db/shop", passwordFile: folder.path("password"))
        #expect(location.password == "s3cret words" && !location.description.contains("s3cret"))
        #expect(throws: PostgresLocation.Problem.self) { try PostgresLocation(url: "postgres://coupons@db/shop", passwordFile: folder.path("missing")) }
    }
}
