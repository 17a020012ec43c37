import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Faults that go away: the worker recovers by itself once they have.
@Suite(.serialized) struct ReadOnlyDatabaseTests {
    /// Root may write any file, so the worker runs as `nobody` here, as the service runs as a user of its own.
    @Test func aWorkerStartedOnADatabaseItMayNotWriteServesOnceItMay() throws {
        let stack = try Stack()
        #expect(try stack.stopWorker().status == 0)
        let state = stack.stateDirectory.path
        try Stack.run("/bin/chown", ["nobody:nogroup", stack.directory.path, state])
        try Stack.run("/bin/sh", ["-c", #"chown nobody:nogroup "$0"* && chmod 0444 "$0""#, stack.databasePath])

        let worker = try ChildProcess("/usr/bin/setpriv", [
            "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
            Stack.workerBinary, "serve", "--listen", "unix:\(stack.socketPath)", "--database", stack.databasePath,
        ], outputPath: stack.stateDirectory.appendingPathComponent("worker.log").path)
        defer {
            worker.send(SIGTERM)
            if worker.wait(upTo: .seconds(10)) == nil { worker.send(SIGKILL) }
        }
        _ = try stack.workerLogLines(containing: "cannot open the database for writing")
        #expect(worker.isRunning)
        let meanwhile = try stack.get("/healthz")
        #expect(meanwhile.status == 503 && meanwhile.headers["content-type"] == "application/problem+json")

        try Stack.run("/bin/chmod", ["0644", stack.databasePath])
        let started = ContinuousClock.now
        while (try? stack.get("/healthz").status) != 200 && ContinuousClock.now - started < .seconds(15) { usleep(100_000) }
        #expect(try stack.get("/healthz").status == 200, "\(stack.workerLog)")
        let created = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                        body: Array(WeChatExample.directReduction(id: "after-the-fix").utf8))
        #expect(created.status == 202, "\(created.text)")
        #expect(try stack.get("/api/v1/coupons/after-the-fix").status == 200)
    }
}
