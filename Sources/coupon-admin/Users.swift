import Accounts
import ArgumentParser
import Foundation
import Glibc
import Storage

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Staff accounts for the admin pages.",
        subcommands: [Add.self, List.self, SetRole.self, ResetPassword.self, Disable.self, Enable.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account. The password is asked for (twice) at a terminal, else read from the first line of standard input."
        )

        @Argument(help: "The login name (A-Z a-z 0-9 . _ - @)")
        var name: String

        @Option(help: "viewer, editor or admin")
        var role: Role

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let problem = AccountName.problem(with: name) { throw ValidationError("NAME: \(problem)") }
        }

        func run() throws {
            let opened = try database.open()
            let hash = try readNewPassword(for: name)
            try exitOnAccountError { try opened.accounts.addUser(name: name, role: role, passwordHash: hash.stored, actor: cliActor, now: unixNow()) }
            warn("account \(name) (\(role.rawValue)) added")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every account's name, role, when it was made and whether it is disabled.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.openExisting()
            let rows = try opened.accounts.users().map { user in
                [user.name, user.role.rawValue, isoTime(user.createdAt), user.disabledAt.map { "disabled " + isoTime($0) } ?? "active"]
            }
            printTable(["name", "role", "created", "state"], rows)
        }
    }

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Give an account another role.")

        @Argument(help: "The login name")
        var name: String

        @Argument(help: "viewer, editor or admin")
        var role: Role

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            try exitOnAccountError { try requireAccount(name, try opened.accounts.setUserRole(name: name, role: role, actor: cliActor, now: unixNow())) }
            warn("account \(name) is now \(role.rawValue)")
        }
    }

    struct ResetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password, read like add's."
        )

        @Argument(help: "The login name")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            guard try opened.accounts.user(named: name) != nil else { try requireAccount(name, false); return }
            let hash = try readNewPassword(for: name)
            try requireAccount(name, try opened.accounts.resetUserPassword(name: name, passwordHash: hash.stored, actor: cliActor, now: unixNow()))
            warn("password of \(name) changed; its sessions have ended")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an account from logging in and end its sessions; its history stays.")

        @Argument(help: "The login name")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            try exitOnAccountError { try requireAccount(name, try opened.accounts.disableUser(name: name, actor: cliActor, now: unixNow())) }
            warn("account \(name) disabled")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled account log in again.")

        @Argument(help: "The login name")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let opened = try database.open()
            guard try opened.accounts.enableUser(name: name, actor: cliActor, now: unixNow()) else {
                warn("no disabled account is named \(name)")
                throw ExitCode.failure
            }
            warn("account \(name) enabled")
        }
    }
}

private func requireAccount(_ name: String, _ found: Bool) throws {
    guard found else {
        warn("no active account is named \(name)")
        throw ExitCode.failure
    }
}

/// A new password: asked twice without echo at a terminal, else the first line of standard input.
private func readNewPassword(for name: String) throws -> PasswordHash {
    let password: String
    if isatty(STDIN_FILENO) == 1 {
        let first = readHiddenLine(prompt: "password for \(name): ")
        guard readHiddenLine(prompt: "again: ") == first else {
            warn("the two passwords differ")
            throw ExitCode.failure
        }
        password = first
    } else {
        password = readLine(strippingNewline: true) ?? ""
    }
    do {
        return try PasswordHash(password: password)
    } catch let problem as PasswordHash.Problem {
        warn(problem.description)
        throw ExitCode.failure
    }
}

private func readHiddenLine(prompt: String) -> String {
    FileHandle.standardError.write(Data(prompt.utf8))
    var saved = termios()
    tcgetattr(STDIN_FILENO, &saved)
    var hidden = saved
    hidden.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
    defer {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true) ?? ""
}
