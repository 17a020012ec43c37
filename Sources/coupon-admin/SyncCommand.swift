import App
import ArgumentParser
import Foundation
import Sync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send every pending coupon to WeChat once, now, whatever its backoff; the workers do the same in the background.",
        discussion: """
            Coupons another process is syncing at the moment are left to it. Exits 0 when no coupon is left \
            pending, 1 when some still are (WeChat unreachable or paused; see the coupons' sync.error).
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (configuration, wechat) = try database.loadWeChatConfiguration()
        let database = try openDatabase(configuration)
        let client = Application.makeWeChatClient(wechat, database: database)
        let summary: SyncLoop.Summary
        do {
            let sync = Application.makeCouponSync(database: database, client: client)
            summary = try await SyncLoop(sync: sync).pass(ignoringBackoff: true)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            FileHandle.standardError.write(Data("coupon-admin: the sync pass failed: \(error)\n".utf8))
            throw ExitCode.failure
        }
        var lines = ["synced: \(summary.synced)", "rejected: \(summary.rejected)", "still pending: \(summary.pending)"]
        if summary.skipped > 0 { lines.append("left to another process: \(summary.skipped)") }
        if let pause = summary.pausedBy { lines.append("stopped: \(pause.description)") }
        print(lines.joined(separator: "\n"))
        if summary.pending > 0 || summary.pausedBy != nil { throw ExitCode.failure }
    }
}
