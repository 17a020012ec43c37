import Foundation
import Testing
@testable import App
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LogWriterTests {
    /// A pipe whose read end never blocks.
    struct Pipe: ~Copyable {
        let read: Int32, write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            (read, write) = (fds[0], fds[1])
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }
        deinit { close(read); close(write) }

        func available() -> String {
            var bytes = [UInt8](repeating: 0, count: 65536)
            let count = Glibc.read(read, &bytes, bytes.count)
            return count > 0 ? String(decoding: bytes[..<count], as: UTF8.self) : ""
        }
    }

    @Test func queuedLinesAreWrittenTogetherAfterTheInterval() throws {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.write, intervalSeconds: 0.2)
        writer.write(Array("one\n".utf8), urgent: false)
        writer.write(Array("two\n".utf8), urgent: false)
        #expect(pipe.available() == "")
        var text = ""
        let deadline = ContinuousClock.now + .seconds(5)
        while text.isEmpty && ContinuousClock.now < deadline {
            usleep(20_000)
            text = pipe.available()
        }
        #expect(text == "one\ntwo\n")
    }

    @Test func anUrgentLineIsWrittenAtOnceAfterThoseBeforeIt() {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.write, intervalSeconds: 60)
        writer.write(Array("request\n".utf8), urgent: false)
        writer.write(Array("failure\n".utf8), urgent: true)
        #expect(pipe.available() == "request\nfailure\n")
    }

    @Test func flushWritesEverythingQueued() {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.write, intervalSeconds: 60)
        for index in 0..<100 { writer.write(Array("line \(index)\n".utf8), urgent: false) }
        writer.flush()
        #expect(pipe.available() == (0..<100).map { "line \($0)\n" }.joined())
    }
}
