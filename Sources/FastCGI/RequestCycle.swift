import CFastCGI
import Glibc
import Logging
import Synchronization

/// One request's trip through the worker: params and body from libfcgi, the responder's answer back,
/// and one access-log line.
struct RequestCycle: Sendable {
    let maxBodyBytes: Int
    let responder: any Responder
    let logger: Logger

    /// How much of a request's input was read.
    enum Input: Equatable {
        /// All of it, up to the end of the stream: nothing more will come on the connection.
        case readToTheEnd
        /// The request was answered without reading its body, or more came than CONTENT_LENGTH said.
        case leftUnread
        /// Reading failed: the client stopped sending for longer than the client timeout, or left.
        case failed
    }

    func serve(_ fcgx: inout FCGX_Request) -> Input {
        let started = ContinuousClock.now
        var input = Input.leftUnread
        var request = Self.request(from: fcgx)
        var logger = self.logger
        logger[metadataKey: "request_id"] = .string(request.requestID)

        let response: Response
        switch ContentLength.parse(request.headers["content-length"], limit: maxBodyBytes) {
        case .malformed:
            response = .problem(status: 400, detail: "CONTENT_LENGTH is not a whole number of bytes.", for: request)
        case .tooLarge:
            response = .problem(
                status: 413, detail: "The request body is larger than the \(maxBodyBytes) bytes this server accepts.", for: request)
        case .length(let length):
            if let body = Self.readBody(length: length, from: fcgx.in) {
                request.body = body
                if FCGX_GetChar(fcgx.in) == EOF && FCGX_GetError(fcgx.in) == 0 { input = .readToTheEnd }
                response = respond(to: request, logger: logger)
            } else if FCGX_GetError(fcgx.in) != 0 {
                input = .failed
                response = .problem(status: 408, detail: "The request body stopped arriving before CONTENT_LENGTH bytes.", for: request)
            } else {
                response = .problem(status: 400, detail: "The request body ended before CONTENT_LENGTH bytes.", for: request)
            }
        }

        let (bytes, status) = ResponseEncoder.encode(response, request: request, logger: logger)
        var written = Self.put(bytes, to: fcgx.out)
        if written >= 0, let stream = response.stream {
            let out = fcgx.out
            do {
                try stream { piece in
                    written = Self.put(piece, to: out)
                    return written >= 0
                }
            } catch {
                logger.error("streamed answer failed midway; it was cut short", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        let microseconds = Int64((ContinuousClock.now - started) / .microseconds(1))
        var metadata: Logger.Metadata = [
            "method": .string(request.method),
            "path": .string(request.fullPath),
            "status": .string(String(status)),
            "duration_ms": .string(Self.milliseconds(microseconds)),
        ]
        if written < 0 { metadata["error"] = "client went away before the response was written" }
        logger.info("request", metadata: metadata)
        return input
    }

    /// Runs the responder as a task that starts at once on this thread and, whenever it resumes after
    /// waiting, continues on this thread through an executor of the request's own; returns its answer.
    private func respond(to request: Request, logger: Logger) -> Response {
        let answer = Mutex<Response?>(nil)
        let executor = ThreadExecutor()
        Task.immediate(executorPreference: executor) { [responder] in
            let response: Response
            do {
                response = try await RequestThread.$executor.withValue(executor) {
                    try await responder.respond(to: request, logger: logger)
                }
            } catch {
                logger.error("handler failed", metadata: ["error": "\(String(reflecting: error))"])
                response = .problem(
                    status: 500,
                    detail: "The server could not answer this request. Quote the request id when reporting it.",
                    for: request
                )
            }
            answer.withLock { $0 = response }
            executor.finish()
        }
        executor.runUntilFinished()
        return answer.withLock { $0! }
    }

    /// Writes `bytes` to libfcgi's buffer for the stream, which sends it on as it fills; negative once the
    /// client has gone away.
    private static func put(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>?) -> Int32 {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { FCGX_PutStr($0.baseAddress, Int32($0.count), stream) }
        }
    }

    /// `1234` microseconds -> `1.23`.
    static func milliseconds(_ microseconds: Int64) -> String {
        let hundredths = (microseconds + 5) / 10
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Builds the request from libfcgi's params, copying out only what a request is made of.
    private static func request(from fcgx: FCGX_Request) -> Request {
        var builder = RequestBuilder()
        guard var entry = fcgx.envp else { return builder.build(body: []) }
        while let pointer = entry.pointee {
            let length = strlen(pointer)
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                let pair = UnsafeBufferPointer(start: bytes, count: length)
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    builder.add(name: UnsafeBufferPointer(rebasing: pair[..<equals]), value: UnsafeBufferPointer(rebasing: pair[(equals + 1)...]))
                }
            }
            entry += 1
        }
        return builder.build(body: [])
    }

    /// Exactly `length` bytes, or nil when the stream ends first.
    private static func readBody(length: Int, from stream: UnsafeMutablePointer<FCGX_Stream>?) -> [UInt8]? {
        guard length > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = body.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    FCGX_GetStr($0.baseAddress! + filled, Int32(min(length - filled, 1 << 20)), stream)
                }
            }
            guard count > 0 else { return nil }
            filled += Int(count)
        }
        return body
    }
}
