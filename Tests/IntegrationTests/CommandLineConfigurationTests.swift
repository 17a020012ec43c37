import App
import Foundation
import TestSupport
import Testing
import Web

/// Every command reads the settings the service reads: its flags, then the environment, then the
/// settings file; and a command that only reads never makes a database.
@Suite struct CommandLineConfigurationTests {
    @Test func commandsReadTheSettingsFileAndReadingOnesNeverCreateADatabase() throws {
        let directory = try TemporaryDirectory("ca-cli-config")
        defer { directory.remove() }
        let database = directory.path("service.sqlite")
        let settings = directory.path("coupon-admin.env")
        try "# the service's settings\nCOUPON_ADMIN_DATABASE=\(database)\n".write(toFile: settings, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COUPON_ADMIN_") }
        environment["COUPON_ADMIN_CONFIG"] = settings
        func run(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) {
            try Stack.run(Stack.workerBinary, arguments, environment: environment, check: false)
        }

        for reading in [["keys", "list"], ["users", "list"]] {
            let refused = try run(reading, environment)
            #expect(refused.status == 1 && refused.output.contains("there is no database at \(database)"), "\(refused.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: database), "a command that only reads made no database")

        #expect(try run(["keys", "create", "--name", "erp", "--role", "editor"], environment).status == 0)
        #expect(FileManager.default.fileExists(atPath: database), "made where the settings file says")
        #expect(try run(["keys", "list"], environment).output.contains("erp"))

        // --config wins over COUPON_ADMIN_CONFIG, the environment over the file, a flag over both.
        let other = directory.path("other.env")
        try "COUPON_ADMIN_DATABASE=\(directory.path("other.sqlite"))\n".write(toFile: other, atomically: true, encoding: .utf8)
        #expect(try run(["keys", "list", "--config", other], environment).output.contains("no database at \(directory.path("other.sqlite"))"))
        var overridden = environment
        overridden["COUPON_ADMIN_DATABASE"] = directory.path("env.sqlite")
        #expect(try run(["keys", "list"], overridden).output.contains("no database at \(directory.path("env.sqlite"))"))
        #expect(try run(["keys", "list", "--database", database], overridden).output.contains("erp"))

        // A file that cannot be read as settings stops every command with EX_CONFIG, naming the line.
        let broken = directory.path("broken.env")
        try "COUPON_ADMIN_LOG_LEVEL=info\nnot a setting\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try run(["keys", "list", "--config", broken], environment)
        #expect(refused.status == 78 && refused.output.contains("\(broken), line 2: not NAME=VALUE"), "\(refused.output)")
        let missing = try run(["users", "list", "--config", directory.path("none.env")], environment)
        #expect(missing.status == 78 && missing.output.contains("cannot read the settings file \(directory.path("none.env"))"))
    }

    @Test func theVersionIsPrinted() throws {
        let (status, output) = try Stack.run(Stack.workerBinary, ["--version"])
        #expect(status == 0)
        #expect(output == Version.current + "\n")
    }
}

/// Root on the service's database: the command goes on as the database's owner, so that nothing it does
/// leaves a file the service could not write. (CI runs as root; so does this test.)
@Suite struct CommandsRunByRootTests {
    @Test func rootWorksAsTheDatabasesOwnerAndLeavesNoFileOfItsOwn() throws {
        #expect(getuid() == 0, "this test needs root, as CI has")
        let directory = try TemporaryDirectory("ca-cli-owner")
        defer { directory.remove() }
        let state = directory.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try Stack.run("/bin/chown", ["nobody:nogroup", state])
        let database = state + "/coupon-admin.sqlite"
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COUPON_ADMIN_") }
            .merging(["COUPON_ADMIN_CONFIG": "/dev/null", "COUPON_ADMIN_DATABASE": database]) { $1 }

        // A new database in the service's folder is the service's; so is everything the later commands make.
        #expect(try Stack.run(Stack.workerBinary, ["keys", "create", "--name", "erp", "--role", "editor"], environment: environment).status == 0)
        try Stack.run("/bin/sh", ["-c", #"printf 'a long enough password\n' | "$0" users add li.wei --role viewer"#, Stack.workerBinary], environment: environment)
        #expect(try Stack.run(Stack.workerBinary, ["keys", "list"], environment: environment).output.contains("erp"))
        #expect(try Stack.run(Stack.workerBinary, ["migrate"], environment: environment).status == 0)
        let owners = try Stack.run("/usr/bin/stat", ["-c", "%U %n"] + (try FileManager.default.contentsOfDirectory(atPath: state)).map { state + "/" + $0 }).output
        #expect(!owners.isEmpty && !owners.split(separator: "\n").contains { $0.hasPrefix("root ") }, "\(owners)")

        // Folders root keeps to itself: said plainly, naming the user the command runs as.
        let rootOnly = directory.path("root-only")
        try FileManager.default.createDirectory(atPath: rootOnly, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let backup = try Stack.run(Stack.workerBinary, ["backup", rootOnly + "/copy.sqlite"], environment: environment, check: false)
        #expect(backup.status == 1 && backup.output.contains("nobody, as whom this command runs (the database's owner), cannot write the folder \(rootOnly)"),
                "\(backup.output)")
        try FileManager.default.copyItem(atPath: database, toPath: rootOnly + "/copy.sqlite")
        let restore = try Stack.run(Stack.workerBinary, ["restore", rootOnly + "/copy.sqlite"], environment: environment, check: false)
        #expect(restore.status == 1 && restore.output.contains("cannot read the copy \(rootOnly)/copy.sqlite"), "\(restore.output)")
    }

    @Test func aDatabaseOfAUserItCannotBecomeIsRefusedWithTheLineThatWorks() throws {
        #expect(getuid() == 0, "this test needs root, as CI has")
        let directory = try TemporaryDirectory("ca-cli-owner")
        defer { directory.remove() }
        try Stack.run("/bin/chown", ["54321", directory.url.path])  // a uid with no account
        let database = directory.path("coupon-admin.sqlite")
        let (status, output) = try Stack.run(
            Stack.workerBinary, ["keys", "create", "--name", "erp", "--role", "editor", "--database", database], check: false)
        #expect(status == 1)
        #expect(output.contains("run it as that user: sudo -u #54321 "), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: database))
    }
}

/// A binary older than its database stops with EX_CONFIG instead of running on a schema it does not know.
@Suite struct SchemaGuardTests {
    @Test func serveAndTheCommandsRefuseADatabaseANewerVersionMigrated() throws {
        let directory = try TemporaryDirectory("ca-schema")
        defer { directory.remove() }
        let database = directory.path("coupon-admin.sqlite")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database])
        try Stack.run("/usr/bin/sqlite3", [database, "INSERT INTO grdb_migrations (identifier) VALUES ('v99 from a newer version')"])

        for command in [["migrate"], ["keys", "list"], ["keys", "create", "--name", "erp", "--role", "editor"]] {
            let (status, output) = try Stack.run(Stack.workerBinary, command + ["--database", database], check: false)
            #expect(status == 78, "\(command): \(output)")
            #expect(output.contains("a newer version of CouponAdmin migrated it (v99 from a newer version)"), "\(output)")
        }
        let serve = try ChildProcess(Stack.workerBinary, ["serve", "--listen", "unix:" + directory.path("worker.sock"), "--database", database],
                                     outputPath: directory.path("worker.log"))
        #expect(serve.wait(upTo: .seconds(20)) == 78)
        let log = try String(contentsOfFile: directory.path("worker.log"), encoding: .utf8)
        #expect(log.contains("cannot serve this database") && log.contains("newer version"), "\(log)")
    }
}

/// Under systemd, standard error is the journal: each line carries its syslog priority for `journalctl -p`.
@Suite struct JournalTests {
    @Test func theWorkersLinesCarryTheirPriorityWhenStandardErrorIsTheJournal() throws {
        let directory = try TemporaryDirectory("ca-journal")
        defer { directory.remove() }
        let log = directory.path("journal.log")
        FileManager.default.createFile(atPath: log, contents: Data())
        var status = stat()
        #expect(stat(log, &status) == 0)
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
        environment["COUPON_ADMIN_UNKNOWN_SETTING"] = "a warning"
        let worker = try ChildProcess(Stack.workerBinary, ["serve", "--listen", "unix:" + directory.path("worker.sock"), "--database", directory.path("db.sqlite")],
                                      environment: environment, outputPath: log)
        var text = ""
        for _ in 0..<200 where !text.contains("listening") {
            usleep(20_000)
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        worker.send(SIGTERM)
        #expect(worker.wait(upTo: .seconds(10)) == 0)
        text = try String(contentsOfFile: log, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<4>") && $0.contains("ignoring unknown setting") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("<6>") && $0.contains("listening") }, "\(text)")
        #expect(lines.allSatisfy { $0.hasPrefix("<") }, "\(text)")
    }
}
