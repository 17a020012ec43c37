import Testing
@testable import Accounts

/// Cheap parameters keep the tests fast; the shape of the work is the same as with the standard ones.
let fast = PasswordHash.Parameters(rounds: 1 << 10, blockSize: 8, parallelism: 1)

@Suite struct PasswordHashTests {
    @Test func theRightPasswordVerifiesAndOthersDoNot() throws {
        let hash = try PasswordHash(password: "correct horse battery", parameters: fast)
        #expect(hash.verifies("correct horse battery"))
        #expect(!hash.verifies("correct horse batterY"))
        #expect(!hash.verifies(""))
        #expect(!hash.verifies(String(repeating: "x", count: PasswordHash.maximumLength + 1)))
    }

    @Test func twoAccountsWithTheSamePasswordGetDifferentHashes() throws {
        let first = try PasswordHash(password: "the same password", parameters: fast)
        let second = try PasswordHash(password: "the same password", parameters: fast)
        #expect(first.salt != second.salt)
        #expect(first.key != second.key)
        #expect(first.stored != second.stored)
        #expect(first.salt.count == 16 && first.key.count == 32)
    }

    @Test func theParametersAreStoredBesideTheHashAndReadBack() throws {
        let hash = try PasswordHash(password: "a long enough one", parameters: fast)
        #expect(hash.stored.hasPrefix("scrypt$1024$8$1$"))
        let read = try PasswordHash(stored: hash.stored)
        #expect(read == hash)
        #expect(read.verifies("a long enough one"))
        #expect(read.needsRehash(current: .standard))
        #expect(!read.needsRehash(current: fast))
    }

    @Test func theStandardParametersAreScryptsRecommendedOnes() throws {
        let hash = try PasswordHash(password: "standard parameters", parameters: .standard)
        #expect(hash.stored.hasPrefix("scrypt$32768$8$1$"))
        #expect(hash.verifies("standard parameters"))
    }

    @Test(arguments: [(11, false), (12, true), (1024, true), (1025, false)])
    func passwordLengthIsCheckedInCharacters(length: Int, accepted: Bool) throws {
        // Chinese characters are three bytes each; the limit counts characters.
        let password = String(repeating: "密", count: length)
        if accepted {
            #expect(try PasswordHash(password: password, parameters: fast).verifies(password))
        } else {
            #expect(throws: PasswordHash.Problem.self) { try PasswordHash(password: password, parameters: fast) }
        }
    }

    @Test(arguments: ["", "scrypt$1024$8$1$AAAA", "bcrypt$1024$8$1$AAAA$AAAA", "scrypt$1000$8$1$AAAA$AAAA", "scrypt$1024$0$1$AAAA$AAAA", "scrypt$1024$8$1$AAAA$"])
    func somethingElseIsNotTakenForAStoredHash(stored: String) {
        #expect(throws: PasswordHash.Problem.notAStoredHash) { try PasswordHash(stored: stored) }
    }

    @Test func comparisonLooksAtEveryByte() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
