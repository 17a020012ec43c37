import FastCGI
import Foundation

/// The `next_cursor` of a list: opaque to clients, since the row id it stands for may change meaning
/// in a later version.
enum PageCursor {
    static func cursor(forRow row: Int64) -> String {
        Data("r\(row)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The row a cursor stands for; nil for anything this server did not give out.
    static func row(from cursor: String) -> Int64? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix("r"),
              let row = Int64(text.dropFirst()), row > 0, String(row) == text.dropFirst()
        else { return nil }
        return row
    }
}

/// `limit` and `cursor`, as every list takes them; what is wrong with them goes into `errors`.
struct PageParameters {
    static let limits = 1...200
    static let defaultLimit = 50

    var limit = defaultLimit
    /// The row the page starts after, from the `next_cursor` of the page before.
    var before: Int64?

    init(_ parameters: QueryParameters, errors: inout [Problem.FieldError]) {
        if let text = parameters["limit"] {
            if let value = CouponListQuery.wholeNumber(text), Self.limits.contains(value) {
                limit = value
            } else {
                errors.append(.init(field: "limit", message: "must be a whole number from \(Self.limits.lowerBound) to \(Self.limits.upperBound)"))
            }
        }
        if let cursor = parameters["cursor"] {
            before = PageCursor.row(from: cursor)
            if before == nil { errors.append(.init(field: "cursor", message: "is not a next_cursor this server gave out")) }
        }
    }
}
