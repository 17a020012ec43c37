import Coupons
import FastCGI
import Foundation

/// A coupon's version on the wire: `ETag: "3"` on each answer that holds one coupon, and `If-Match`
/// on the requests that change one. The tag names the version of the coupon people asked for, not
/// its bytes: WeChat's answers (sync state, WeChat's status) leave it be, so that a tool that read
/// a coupon before its sync finished is not refused for it.
enum CouponVersionTag {
    static func tag(_ version: Int) -> String { "\"\(version)\"" }

    /// `If-Match` as the versions a change may be made against: any when there is none or it is `*`;
    /// else the strong tags of its list that name a version. A weak tag (`W/"3"`) never matches, as
    /// RFC 9110 has it for `If-Match`.
    static func expected(ifMatch: String?) -> ExpectedVersion {
        guard let ifMatch else { return .any }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tags == ["*"] { return .any }
        return .oneOf(tags.compactMap { tag in
            guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return nil }
            return Int(tag.dropFirst().dropLast())
        })
    }
}

extension Request {
    /// The versions this request's change may be made against (`If-Match`).
    var expectedVersion: ExpectedVersion { CouponVersionTag.expected(ifMatch: headers["If-Match"]) }
}
