import Foundation
import Storage
import Sync
import TestSupport
import WeChat

/// What the tests of sending stored coupons over real HTTP start from: a sandbox process, a database
/// file in its folder, a client of the sandbox, and a `CouponSync` that claims as "test".
func syncingToSandbox() throws -> (sandbox: SandboxProcess, database: AppDatabase, client: WeChatClient, sync: CouponSync) {
    let sandbox = try SandboxProcess()
    let database = try AppDatabase(path: sandbox.directory.path("coupons.sqlite"))
    let client = sandbox.makeClient()
    return (sandbox, database, client, CouponSync(database: database, client: client, holder: "test", now: { Date().timeIntervalSince1970 }))
}
