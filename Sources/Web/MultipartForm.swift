/// A `multipart/form-data` body (RFC 7578), as a browser sends a form with a file: each part's field
/// name, file name if it is a file, and content.
struct MultipartForm {
    struct Part {
        var name: String
        var fileName: String?
        var content: [UInt8]
    }

    var parts: [Part]

    /// Nil when `contentType` is not `multipart/form-data` with a boundary, or the body is not made of
    /// parts between that boundary.
    init?(contentType: String?, body: [UInt8]) {
        guard let contentType, let boundary = Self.boundary(contentType) else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var start = Self.find(delimiter, in: body, from: 0) else { return nil }
        start += delimiter.count
        while true {
            // After a delimiter: "--" ends the body, a line end begins a part.
            if body[start...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { break }
            guard body[start...].starts(with: [13, 10]) else { return nil }
            let headersStart = start + 2
            guard let headersEnd = Self.find([13, 10, 13, 10], in: body, from: headersStart),
                  let next = Self.find([13, 10] + delimiter, in: body, from: headersEnd + 4)
            else { return nil }
            let headers = String(decoding: body[headersStart..<headersEnd], as: UTF8.self)
            guard let disposition = Self.disposition(headers), let name = disposition["name"] else { return nil }
            parts.append(Part(name: name, fileName: disposition["filename"], content: Array(body[(headersEnd + 4)..<next])))
            start = next + 2 + delimiter.count
        }
        self.parts = parts
    }

    /// The first part named `name`.
    subscript(name: String) -> Part? { parts.first { $0.name == name } }

    private static func boundary(_ contentType: String) -> String? {
        let fields = contentType.split(separator: ";").map { $0.trimmingSpaces }
        guard fields.first?.lowercased() == "multipart/form-data" else { return nil }
        for field in fields.dropFirst() where field.lowercased().hasPrefix("boundary=") {
            var value = field.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.count > 70 ? nil : String(value)
        }
        return nil
    }

    /// The parameters of a part's `Content-Disposition: form-data; name="..."; filename="..."`.
    private static func disposition(_ headers: String) -> [String: String]? {
        for line in headers.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "content-disposition" else { continue }
            var parameters: [String: String] = [:]
            for field in pair[1].split(separator: ";").dropFirst() {
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                var value = parts[1].trimmingSpaces
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
                parameters[parts[0].trimmingSpaces.lowercased()] = String(value)
            }
            return parameters
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
