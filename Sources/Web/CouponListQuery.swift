import Coupons
import FastCGI
import Foundation
import Storage

/// The query of `GET /api/v1/coupons`: `type`, `status`, `sync_state`, `q`, `wechat_differs=true`, `limit`
/// (1–200, default 50) and `cursor`, the opaque `next_cursor` of the page before; `failing=true` for the
/// coupons in trouble with WeChat; `format=csv` for all of them as CSV.
struct CouponListQuery {
    static let maximumTextLength = 64

    var filter = CouponFilter()
    var page: PageParameters
    /// `format=csv`: every coupon the filter lets through, as a spreadsheet (`CouponCSV`), not a page.
    var csv = false
    /// The admin pages' numbered pages: `sort` and `page` (from 1) instead of `cursor`.
    var order = CouponOrder.newest
    var pageNumber = 1

    /// `now` (unix seconds) dates `failing=true`: refused by WeChat, or waiting to reach it for longer
    /// than `CouponFilter.failingAfter`.
    init(_ query: String, now: Int, numberedPages: Bool = false) throws(HTTPError) {
        let parameters = try QueryParameters(
            query, allowed: Set(["type", "status", "sync_state", "q", "wechat_differs", "failing", "limit", "format"] + (numberedPages ? ["sort", "page"] : ["cursor"])))
        var errors: [Problem.FieldError] = []
        func oneOf<Value: RawRepresentable & CaseIterable>(_ name: String, _ parse: (String) -> Value?) -> Value? {
            guard let text = parameters[name] else { return nil }
            guard let value = parse(text) else {
                errors.append(.init(field: name, message: "must be one of \(Value.allCases.map { "\($0.rawValue)" }.joined(separator: ", "))"))
                return nil
            }
            return value
        }
        filter.type = oneOf("type") { Self.wholeNumber($0).flatMap(CouponType.init(rawValue:)) }
        filter.status = oneOf("status") { Self.wholeNumber($0).flatMap(CouponStatus.init(rawValue:)) }
        filter.syncState = oneOf("sync_state") { SyncState(rawValue: $0) }
        if let text = parameters["q"] {
            if text.unicodeScalars.count > Self.maximumTextLength {
                errors.append(.init(field: "q", message: "must be at most \(Self.maximumTextLength) characters"))
            } else {
                filter.text = text
            }
        }
        switch parameters["wechat_differs"] {
        case nil: break
        case "true": filter.differsFromWeChat = true
        default: errors.append(.init(field: "wechat_differs", message: "must be true, or left out"))
        }
        switch parameters["failing"] {
        case nil: break
        case "true": filter.failingBefore = now - CouponFilter.failingAfter
        default: errors.append(.init(field: "failing", message: "must be true, or left out"))
        }
        switch parameters["format"] {
        case nil, "json": break
        case "csv": csv = true
        default: errors.append(.init(field: "format", message: "must be json or csv"))
        }
        page = PageParameters(parameters, errors: &errors)
        if let sort = parameters["sort"] {
            if let order = CouponOrder(rawValue: sort) { self.order = order } else {
                errors.append(.init(field: "sort", message: "must be one of \(CouponOrder.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if let text = parameters["page"] {
            if let number = Self.wholeNumber(text), number >= 1 { pageNumber = number } else {
                errors.append(.init(field: "page", message: "must be a whole number from 1"))
            }
        }
        if !errors.isEmpty { throw HTTPError(status: 400, detail: "The query string is not valid.", fieldErrors: errors) }
    }

    /// Whether the list is wanted as CSV: `format=csv`, or `Accept` naming `text/csv` (not with `q=0`).
    func wantsCSV(_ request: Request) -> Bool {
        csv || (request.headers["Accept"] ?? "").split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return parts.first == "text/csv" && !parts.dropFirst().contains { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }
        }
    }

    /// Digits only: no sign, space or fraction.
    static func wholeNumber(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}

extension CouponFilter {
    /// The list query's names for the filter, in the order links write them.
    static let queryNames = ["type", "status", "sync_state", "q", "wechat_differs", "failing"]

    /// The value of the filter's parameter `name` as a list query gives it; nil when it lets everything through.
    func queryValue(_ name: String) -> String? {
        switch name {
        case "type": type.map { String($0.rawValue) }
        case "status": status.map { String($0.rawValue) }
        case "sync_state": syncState?.rawValue
        case "q": text
        case "wechat_differs": differsFromWeChat ? "true" : nil
        case "failing": failingBefore == nil ? nil : "true"
        default: nil
        }
    }
}
