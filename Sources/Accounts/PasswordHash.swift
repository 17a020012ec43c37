import Crypto
import CryptoExtras
import Foundation

/// A staff password as it is stored: scrypt's parameters and a per-password random salt beside the
/// derived key, so that the parameters can be raised later without invalidating stored passwords.
///
/// Stored as `scrypt$N$r$p$SALT$KEY` (salt and key in base64).
public struct PasswordHash: Sendable, Equatable {
    public struct Parameters: Sendable, Equatable {
        /// scrypt's N (CPU and memory cost): a power of two.
        public var rounds: Int
        /// scrypt's r.
        public var blockSize: Int
        /// scrypt's p.
        public var parallelism: Int

        public init(rounds: Int, blockSize: Int, parallelism: Int) {
            self.rounds = rounds
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        /// N=2^15, r=8, p=1: 32 MiB and about 0.1 s a hash, OWASP's recommendation for scrypt.
        public static let standard = Parameters(rounds: 1 << 15, blockSize: 8, parallelism: 1)
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case tooShort(minimum: Int)
        case tooLong(maximum: Int)
        case notAStoredHash

        public var description: String {
            switch self {
            case .tooShort(let minimum): "a password needs at least \(minimum) characters"
            case .tooLong(let maximum): "a password may have at most \(maximum) characters"
            case .notAStoredHash: "not a stored password hash"
            }
        }
    }

    public static let minimumLength = 12
    /// Long enough for any passphrase, short enough that hashing one costs no more than usual.
    public static let maximumLength = 1024

    public let parameters: Parameters
    public let salt: [UInt8]
    public let key: [UInt8]

    /// Hashes a new password with a fresh random salt, after checking its length (in characters).
    public init(password: String, parameters: Parameters = .standard) throws {
        let length = password.count
        guard length >= Self.minimumLength else { throw Problem.tooShort(minimum: Self.minimumLength) }
        guard length <= Self.maximumLength else { throw Problem.tooLong(maximum: Self.maximumLength) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(parameters: parameters, salt: salt, key: try Self.derive(password, salt: salt, parameters))
    }

    /// Reads a hash as `stored` gives it.
    public init(stored: String) throws {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let rounds = Int(parts[1]), rounds > 1, rounds & (rounds - 1) == 0,
              let blockSize = Int(parts[2]), blockSize > 0, let parallelism = Int(parts[3]), parallelism > 0,
              let salt = Data(base64Encoded: String(parts[4])), let key = Data(base64Encoded: String(parts[5])), !key.isEmpty
        else { throw Problem.notAStoredHash }
        self.init(parameters: Parameters(rounds: rounds, blockSize: blockSize, parallelism: parallelism), salt: Array(salt), key: Array(key))
    }

    init(parameters: Parameters, salt: [UInt8], key: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.key = key
    }

    public var stored: String {
        "scrypt$\(parameters.rounds)$\(parameters.blockSize)$\(parameters.parallelism)$"
            + "\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` is the one this hash was made from; the comparison takes the same time
    /// wherever the keys differ.
    public func verifies(_ password: String) -> Bool {
        guard password.count <= Self.maximumLength, let derived = try? Self.derive(password, salt: salt, parameters) else { return false }
        return constantTimeEqual(derived, key)
    }

    /// True when the hash was made with weaker parameters than `current`: rehash at the next login.
    public func needsRehash(current: Parameters = .standard) -> Bool {
        parameters != current
    }

    private static func derive(_ password: String, salt: [UInt8], _ parameters: Parameters) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32,
            rounds: parameters.rounds, blockSize: parameters.blockSize, parallelism: parameters.parallelism
        )
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Equal bytes, compared without stopping at the first difference.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
