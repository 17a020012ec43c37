import App
import ArgumentParser
import Foundation
import Storage
import StrictJSON
import Web

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The service's state on one screen: version, database, schema, sync backlog, last WeChat error, token.",
        discussion: """
            Exits 0 when all is well and 1 when the oldest sync waiting is older than --max-backlog-age or no \
            WeChat token can be had (for monitoring); 78 for a newer version's database. Only reads.
            """
    )

    @Flag(help: "Print one JSON object instead")
    var json = false

    @Option(help: "Seconds the oldest sync may wait before the state is a problem")
    var maxBacklogAge = 900

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard maxBacklogAge > 0 else { throw ValidationError("--max-backlog-age must be a positive number of seconds") }
    }

    func run() throws {
        let configuration = try database.loadConfiguration()
        let opened = try openDatabase(configuration, existing: true)
        let now = Date().timeIntervalSince1970
        let backlog: SyncBacklog
        let lastFailure: (outCouponID: String, attempt: SyncAttempt)?
        let token: AccessTokenStatus?
        let applied: Int
        do {
            backlog = try opened.coupons.syncBacklog()
            lastFailure = try opened.coupons.lastFailedSyncAttempt()
            token = try configuration.wechat.flatMap { try opened.accessTokens.accessTokenStatus(key: Application.accessTokenKey(for: $0)) }
            applied = try opened.appliedMigrations().count
        } catch {
            warn("cannot read the database \(configuration.databasePath): \(error)")
            throw ExitCode.failure
        }
        let oldestAge = backlog.oldestPendingSince.map { max(0, Int(now) - $0) }
        var problems: [String] = []
        if let oldestAge, oldestAge > maxBacklogAge {
            problems.append("the oldest sync has waited \(oldestAge) s, more than \(maxBacklogAge) s")
        }
        if token?.isFailing(now: now) == true {
            problems.append("no WeChat token can be had: \(token?.lastError ?? "")")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: configuration.databasePath)[.size] as? Int) ?? 0

        if json {
            func integer(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
            func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
            func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue { .object(members.map { JSONValue.Member($0.key, $0.value) }) }
            let wechat: JSONValue = configuration.wechat.map { wechat in
                object([
                    "appid": .string(wechat.appID),
                    "token": object([
                        "stored": .bool(token?.hasToken ?? false), "fetched_at": integer(token?.fetchedAt.map { Int($0) }),
                        "expires_at": integer(token?.expiresAt.map { Int($0) }), "last_error": text(token?.lastError),
                        "failing": .bool(token?.isFailing(now: now) ?? false),
                    ]),
                ])
            } ?? .null
            let status = object([
                "version": .string(Version.current),
                "database": object([
                    "path": .string(configuration.databasePath), "bytes": integer(size), "migrations_applied": integer(applied),
                    "migrations_known": integer(AppDatabase.migrationNames.count),
                ]),
                "coupons": integer(backlog.coupons),
                "sync": object([
                    "pending": integer(backlog.pending), "oldest_pending_age_s": integer(oldestAge), "rejected": integer(backlog.rejected),
                    "max_backlog_age_s": integer(maxBacklogAge),
                ]),
                "last_wechat_error": lastFailure.map { failure in
                    object([
                        "at": integer(Int(failure.attempt.at)), "coupon": .string(failure.outCouponID), "endpoint": .string(failure.attempt.endpoint),
                        "errcode": integer(failure.attempt.errcode), "failure": .string(failure.attempt.failure ?? ""),
                    ])
                } ?? .null,
                "problems": .array(problems.map { .string($0) }),
                "ok": .bool(problems.isEmpty),
                "wechat": wechat,
            ])
            var writer = JSONWriter()
            writer.value(status, sortingKeys: true)
            print(String(decoding: writer.bytes, as: UTF8.self))
        } else {
            var lines = [
                "version: \(Version.current)",
                "database: \(configuration.databasePath) (\(size / 1024) KiB; schema: \(applied) of this version's \(AppDatabase.migrationNames.count) migrations)",
                "coupons: \(backlog.coupons)",
                "sync: \(backlog.pending) pending" + (oldestAge.map { ", the oldest waiting \($0) s" } ?? "") + ", \(backlog.rejected) rejected",
            ]
            if let lastFailure {
                let attempt = lastFailure.attempt
                lines.append("last WeChat error: \(isoTime(attempt.at)) \(attempt.endpoint) for \(lastFailure.outCouponID): "
                    + (attempt.errcode.map { "errcode \($0): " } ?? "") + (attempt.failure ?? ""))
            } else {
                lines.append("last WeChat error: none")
            }
            if let wechat = configuration.wechat {
                var state: String
                if let token, token.hasToken, let expiresAt = token.expiresAt {
                    state = expiresAt > now ? "valid for \(Int(expiresAt - now)) s" : "expired (the worker fetches one when it needs it)"
                    if let fetchedAt = token.fetchedAt { state += ", fetched \(Int(now - fetchedAt)) s ago" }
                } else {
                    state = "none stored yet"
                }
                if let error = token?.lastError { state += "; last fetch failed: \(error)" }
                lines.append("WeChat: appid \(wechat.appID), token \(state)")
            } else {
                lines.append("WeChat: not configured (nothing is sent)")
            }
            lines.append(problems.isEmpty ? "state: ok" : "state: PROBLEM: " + problems.joined(separator: "; "))
            print(lines.joined(separator: "\n"))
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }
}
