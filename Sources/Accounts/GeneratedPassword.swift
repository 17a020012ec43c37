/// A password an admin hands to a colleague (a new account, a reset): four groups of four characters
/// from an alphabet with no look-alikes (no 0/o, 1/l/i), about 79 random bits, easy to read out and type.
public enum GeneratedPassword {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String((0..<4).map { _ in alphabet.randomElement(using: &generator)! }) }.joined(separator: "-")
    }
}
