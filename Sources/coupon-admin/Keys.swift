import Accounts
import ArgumentParser
import Foundation
import Glibc
import Storage

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "API keys for internal tools, sent as Authorization: Bearer KEY.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key and print it once, alone on standard output; only its hash is stored."
        )

        @Option(help: "What the key is for, as the audit log will name it (A-Z a-z 0-9 . _ - @)")
        var name: String

        @Option(help: "viewer, editor or admin")
        var role: Role

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let problem = AccountName.problem(with: name) { throw ValidationError("--name: \(problem)") }
        }

        func run() throws {
            let opened = try database.open()
            let (key, hash) = APIKey.generate()
            try exitOnAccountError { try opened.accounts.addAPIKey(name: name, role: role, keyHash: hash, actor: cliActor, now: unixNow()) }
            print(key)
            warn("API key \(name) (\(role.rawValue)) made; it is shown only this once: keep it in the tool's secret store.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every key's name, role, when it was made and last used, and whether it is revoked; never the key.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.openExisting()
            let rows = try opened.accounts.apiKeys().map { key in
                [key.name, key.role.rawValue, isoTime(key.createdAt), key.lastUsedAt.map(isoTime) ?? "never",
                 key.revokedAt.map { "revoked " + isoTime($0) } ?? "live"]
            }
            printTable(["name", "role", "created", "last used", "state"], rows)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a key from working, at once, for every worker.")

        @Argument(help: "The key's name")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            guard try opened.accounts.revokeAPIKey(name: name, actor: cliActor, now: unixNow()) else {
                warn("no live API key is named \(name)")
                throw ExitCode.failure
            }
            warn("API key \(name) revoked")
        }
    }
}

extension Role: ExpressibleByArgument {}

/// Runs `body`, turning a taken name into a message and exit status 1.
func exitOnAccountError(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as AccountError {
        warn(error.description)
        throw ExitCode.failure
    }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("coupon-admin: \(message)\n".utf8))
}

func unixNow() -> Int { Int(Date().timeIntervalSince1970) }

/// Who the audit log names for a change made with these commands: `cli:` and the system user.
let cliActor: String = {
    let name = getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(geteuid())"
    return "cli:" + (ProcessInfo.processInfo.environment["SUDO_USER"] ?? name)
}()

/// Unix seconds as ISO 8601 in UTC, as every command prints times.
func isoTime(_ seconds: TimeInterval) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
}

func isoTime(_ seconds: Int) -> String { isoTime(TimeInterval(seconds)) }

/// Columns padded to their widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        print(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces))
    }
}
