@testable import Accounts
import Testing

@Suite struct GeneratedPasswordTests {
    @Test func aGeneratedPasswordIsLongEnoughReadableAndNewEachTime() throws {
        let passwords = (0..<200).map { _ in GeneratedPassword.make() }
        #expect(Set(passwords).count == passwords.count)
        for password in passwords {
            #expect(password.count == 19 && password.count >= PasswordHash.minimumLength)
            #expect(password.split(separator: "-").map(\.count) == [4, 4, 4, 4])
            #expect(password.allSatisfy { $0 == "-" || GeneratedPassword.alphabet.contains($0) })
        }
        #expect(!GeneratedPassword.alphabet.contains("0") && !GeneratedPassword.alphabet.contains("l") && !GeneratedPassword.alphabet.contains("1"))
    }
}
