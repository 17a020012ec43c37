import App
import ArgumentParser
import Foundation
import Sync

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring in every coupon WeChat has (get_list, 200 a page): new ones are stored, known ones updated, differences flagged.",
        discussion: """
            Coupons stored here take WeChat's status, times and stock; one whose fields differ from WeChat's, with \
            no change of its own still queued, is flagged (wechat_differs in the API, a notice on its page). A line \
            of progress is printed after every page. Only one import runs at a time, from here or from \
            POST /api/v1/coupons/import. Exits 1 when WeChat could not be asked to the end (the pages read are kept).
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (configuration, wechat) = try database.loadWeChatConfiguration()
        let database = try openDatabase(configuration)
        let actor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
        let (started, isNew) = try database.imports.startImportRun(by: actor, now: unixTime(), staleAfter: CouponImport.staleAfter)
        guard isNew else {
            FileHandle.standardError.write(Data("coupon-admin: import \(started.id), started by \(started.startedBy), is still running.\n".utf8))
            throw ExitCode.failure
        }
        let client = Application.makeWeChatClient(wechat, database: database)
        let importer = CouponImport(database: database, wechat: client, now: unixTime)
        let (run, unreadable) = await importer.runRecorded(started, by: actor) { progress in
            let total = progress.totalNum.map(String.init) ?? "?"
            print("\(progress.seen) of \(total) read: \(progress.created) new, \(progress.updated) updated, "
                + "\(progress.differing) differing, \(progress.unreadable) unreadable")
        }
        try? await client.shutdown()
        for coupon in unreadable { print("left out \(coupon.outCouponID): \(coupon.reason)") }
        guard run.state == .done else {
            FileHandle.standardError.write(Data("coupon-admin: the import stopped: \(run.error ?? "unknown")\n".utf8))
            throw ExitCode.failure
        }
        print("import \(run.id) done")
    }
}
