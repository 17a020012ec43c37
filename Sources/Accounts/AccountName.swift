/// Names of staff accounts and API keys: what the audit log shows as the actor.
public enum AccountName {
    public static let maximumLength = 64

    /// Nil when `name` will do; otherwise what is wrong with it.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= maximumLength else { return "a name has 1 to \(maximumLength) characters" }
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "@"): true
            default: false
            }
        }
        return allowed ? nil : "a name may hold only A-Z a-z 0-9 . _ - @"
    }
}
