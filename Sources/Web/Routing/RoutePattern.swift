/// A path pattern such as `/api/v1/coupons/{out_coupon_id}`: literal segments and named parameters,
/// each parameter matching one whole, percent-decoded segment.
struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]
    let description: String
    /// How many segments are literal: where patterns overlap (`/api/v1/coupons/import` and
    /// `/api/v1/coupons/{out_coupon_id}`), the path belongs to the most literal one.
    let literalCount: Int

    init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /: \(pattern)")
        description = pattern
        segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        literalCount = segments.count { if case .literal = $0 { true } else { false } }
    }

    /// The parameters when `pathSegments` (already decoded) match, nil otherwise.
    func match(_ pathSegments: [String]) -> [String: String]? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}
