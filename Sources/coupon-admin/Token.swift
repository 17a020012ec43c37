import App
import ArgumentParser
import Foundation
import Storage
import WeChat

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The WeChat access token that the worker processes share: its status, or a forced refresh.",
        subcommands: [Status.self, Refresh.self]
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the appid, the token's age and expiry and the last error; never the token.",
            discussion: "Exits 1 when no token can be had: the last fetch failed and no valid token is stored."
        )

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let (configuration, wechat) = try database.loadWeChatConfiguration()
            let opened = try openDatabase(configuration, existing: true)
            let status = try opened.accessTokens.accessTokenStatus(key: Application.accessTokenKey(for: wechat))
            let now = Date().timeIntervalSince1970
            var lines = ["appid: \(wechat.appID)", "source: \(wechat.tokenEndpoint.rawValue) at \(wechat.baseURL)"]
            if let status, status.hasToken, let expiresAt = status.expiresAt {
                if let fetchedAt = status.fetchedAt { lines.append("fetched: \(isoTime(fetchedAt)) (\(Int(now - fetchedAt)) s ago)") }
                lines.append(expiresAt > now ? "expires: \(isoTime(expiresAt)) (in \(Int(expiresAt - now)) s)" : "expired: \(isoTime(expiresAt))")
            } else {
                lines.append("token: none stored yet")
            }
            if let until = status?.claimedUntil, until > now { lines.append("fetching: a process is fetching one now") }
            lines.append("last error: \(status?.lastError ?? "none")")
            let failing = status?.isFailing(now: now) ?? false
            if failing { lines.append("state: failing: no token can be had until the cause is put right") }
            print(lines.joined(separator: "\n"))
            if failing { throw ExitCode.failure }
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a new token with force_refresh, which ends the current one at once (for a leaked token).",
            discussion: "WeChat allows 20 forced refreshes a day, 30 s apart; the worker never forces one itself."
        )

        @Flag(help: "Required: say that ending the current token is meant")
        var force = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard force else {
                throw ValidationError("a refresh ends the current token at WeChat; pass --force to do it on purpose")
            }
            let (configuration, wechat) = try database.loadWeChatConfiguration()
            let client = Application.makeWeChatClient(wechat, database: try openDatabase(configuration))
            do {
                let token = try await client.tokens.forceRefresh()
                print("a new token is stored for \(wechat.appID); it expires \(isoTime(token.expiresAt))")
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                FileHandle.standardError.write(Data("coupon-admin: the refresh failed: \(String(describing: error).redactingAccessTokens)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
