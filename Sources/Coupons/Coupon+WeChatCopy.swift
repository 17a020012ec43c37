import StrictJSON

extension Coupon {
    /// Members WeChat adds to a coupon object in `get` and `get_list` answers.
    static let wechatOnlyMembers: Set<String> = ["status", "create_time", "update_time", "appid"]

    /// The coupon object as WeChat shows it in `get` and `get_list`, read with the rules of a create:
    /// WeChat's own members (status, times, appid) are set aside, and the string spellings of enums that
    /// some answers carry (`"PROMOTE_TYPE_FINDER"`, `"COUPON_VALID_TYPE_TIME"`) read as their numbers.
    public static func decode(wechatCopy value: JSONValue) throws(FieldErrors) -> Coupon {
        guard case .object(let members) = value else { return try decode(value) }
        return try decode(.object(members.filter { !wechatOnlyMembers.contains($0.name) }.map(Self.numberingEnums)))
    }

    private static let enumNames: [String: Int] = [
        "PROMOTE_TYPE_FINDER": PromoteType.finder.rawValue,
        "COUPON_VALID_TYPE_TIME": ValidType.timeRange.rawValue,
        "COUPON_VALID_TYPE_DAY": ValidType.days.rawValue,
        "COUPON_VALID_TYPE_SECOND": ValidType.seconds.rawValue,
    ]

    private static let enumMembers: Set<String> = ["type", "promote_type", "valid_type"]

    private static func numberingEnums(_ member: JSONValue.Member) -> JSONValue.Member {
        switch member.value {
        case .string(let name) where enumMembers.contains(member.name):
            guard let number = enumNames[name] else { return member }
            return JSONValue.Member(member.name, .number(String(number)))
        case .object(let members):
            return JSONValue.Member(member.name, .object(members.map(numberingEnums)))
        default:
            return member
        }
    }
}
