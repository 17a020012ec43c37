import FastCGI
import Foundation

extension Response {
    /// A JSON body with keys in a stable order.
    public static func json(_ value: some Encodable, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return Response(status: status, headers: headers, body: Array(try encoder.encode(value)))
    }
}
