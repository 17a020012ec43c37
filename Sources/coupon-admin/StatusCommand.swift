import App
import ArgumentParser
import Foundation
import Storage
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
            var object: [String: Any] = [
                "version": Version.current,
                "database": ["path": configuration.databasePath, "bytes": size, "migrations_applied": applied,
                             "migrations_known": AppDatabase.migrationNames.count] as [String: Any],
                "coupons": backlog.coupons,
                "sync": ["pending": backlog.pending, "oldest_pending_age_s": orNull(oldestAge), "rejected": backlog.rejected,
                         "max_backlog_age_s": maxBacklogAge] as [String: Any],
                "last_wechat_error": orNull(lastFailure.map { failure -> [String: Any] in
                    ["at": Int(failure.attempt.at), "coupon": failure.outCouponID, "endpoint": failure.attempt.endpoint,
                     "errcode": orNull(failure.attempt.errcode), "failure": failure.attempt.failure ?? ""]
                }),
                "problems": problems,
                "ok": problems.isEmpty,
            ]
            if let wechat = configuration.wechat {
                object["wechat"] = [
                    "appid": wechat.appID,
                    "token": [
                        "stored": token?.hasToken ?? false,
                        "fetched_at": orNull(token?.fetchedAt.map { Int($0) }),
                        "expires_at": orNull(token?.expiresAt.map { Int($0) }),
                        "last_error": orNull(token?.lastError),
                        "failing": token?.isFailing(now: now) ?? false,
                    ] as [String: Any],
                ] as [String: Any]
            } else {
                object["wechat"] = NSNull()
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
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

/// A JSON value, or JSON's null for nil.
private func orNull(_ value: Any?) -> Any { value ?? NSNull() }
