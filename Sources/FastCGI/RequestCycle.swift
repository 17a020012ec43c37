import CFastCGI
import Dispatch
import Logging
import Synchronization

/// One request's trip through the worker: params and body from libfcgi, the responder's answer back,
/// and one access-log line.
struct RequestCycle: Sendable {
    let maxBodyBytes: Int
    let responder: any Responder
    let logger: Logger

    func serve(_ fcgx: inout FCGX_Request) {
        let started = ContinuousClock.now
        let params = Self.params(of: fcgx)
        var request = Request(params: params, body: [])
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(request.requestID)"

        let response: Response
        switch ContentLength.parse(params["CONTENT_LENGTH"], limit: maxBodyBytes) {
        case .malformed:
            response = .problem(status: 400, detail: "CONTENT_LENGTH is not a whole number of bytes.", for: request)
        case .tooLarge:
            response = .problem(
                status: 413, detail: "The request body is larger than the \(maxBodyBytes) bytes this server accepts.", for: request)
        case .length(let length):
            if let body = Self.readBody(length: length, from: fcgx.in) {
                request.body = body
                response = respond(to: request, logger: logger)
            } else {
                response = .problem(status: 400, detail: "The request body ended before CONTENT_LENGTH bytes.", for: request)
            }
        }

        let (bytes, status) = ResponseEncoder.encode(response, request: request, logger: logger)
        let written = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { FCGX_PutStr($0.baseAddress, Int32($0.count), fcgx.out) }
        }
        let milliseconds = (ContinuousClock.now - started).seconds * 1000
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method)",
                "path": "\(request.fullPath)",
                "status": "\(status)",
                "duration_ms": "\(String(format: "%.2f", milliseconds))",
            ].merging(written < 0 ? ["error": "client went away before the response was written"] : [:]) { $1 }
        )
    }

    /// Runs the responder in its own task and waits for it on this (non-pool) thread.
    private func respond(to request: Request, logger: Logger) -> Response {
        let answer = Mutex<Response?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task { [responder] in
            let response: Response
            do {
                response = try await responder.respond(to: request, logger: logger)
            } catch {
                logger.error("handler failed", metadata: ["error": "\(String(reflecting: error))"])
                response = .problem(
                    status: 500,
                    detail: "The server could not answer this request. Quote the request id when reporting it.",
                    for: request
                )
            }
            answer.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0! }
    }

    /// Copies every param out of libfcgi's memory at once.
    private static func params(of fcgx: FCGX_Request) -> [String: String] {
        var params: [String: String] = [:]
        guard var entry = fcgx.envp else { return params }
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                params[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return params
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
