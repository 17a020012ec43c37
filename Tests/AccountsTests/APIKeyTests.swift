import Testing
@testable import Accounts

@Suite struct APIKeyTests {
    @Test func aKeyIsThePrefixAnd256RandomBitsAndIsStoredAsItsHash() {
        let (key, hash) = APIKey.generate()
        #expect(key.hasPrefix("cak_"))
        #expect(key.count == 4 + 43)  // 43 base64url characters carry 258 bits, 256 of them random
        #expect(APIKey.looksLikeKey(key))
        #expect(hash == APIKey.hash(key))
        #expect(hash.count == 64 && !hash.contains(key.dropFirst(4)))
        #expect(APIKey.generate().key != key)
    }

    @Test func theHashIsSHA256InHex() {
        // printf 'cak_test' | sha256sum
        #expect(APIKey.hash("cak_test") == "b47a96a773e5bf7aad5615211e65c015a06e83c30872b096f271d7b1ee0a624f")
    }

    @Test(arguments: ["", "cak_", "cak_short", "xyz_" + String(repeating: "a", count: 43), "cak_" + String(repeating: "a", count: 42) + "=",
                      "cak_" + String(repeating: "a", count: 44)])
    func otherTextIsNotTakenForAKey(text: String) {
        #expect(!APIKey.looksLikeKey(text))
    }

    @Test func roleOrder() {
        #expect(Role.admin.allows(.editor) && Role.admin.allows(.viewer) && Role.editor.allows(.viewer))
        #expect(!Role.viewer.allows(.editor) && !Role.editor.allows(.admin))
        #expect(Role.allCases.allSatisfy { $0.allows($0) })
    }
}
