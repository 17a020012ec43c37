import Crypto
import Foundation

/// API keys for internal tools: `cak_` and 256 random bits in base64url (43 characters), shown once
/// when made and stored only as their SHA-256. A key holds 256 random bits, so a fast hash is enough:
/// no one can guess a key from its hash, and looking a key up by its hash reveals nothing of others.
public enum APIKey {
    public static let prefix = "cak_"

    /// A new key, and the hash to store.
    public static func generate() -> (key: String, hash: String) {
        let key = prefix + randomToken()
        return (key, hash(key))
    }

    /// The stored form of `key`: its SHA-256 in hex.
    public static func hash(_ key: String) -> String { sha256Hex(key) }

    /// Whether `text` has a key's shape; anything else is not looked up at all.
    public static func looksLikeKey(_ text: String) -> Bool {
        text.hasPrefix(prefix) && looksLikeRandomToken(text.dropFirst(prefix.count))
    }
}

/// The SHA-256 of `text` in lower-case hex: how secrets that are random enough (API keys, session
/// ids) are stored. Every request with one computes it, so the hex is written by hand rather than
/// with `String(format:)`, which cost 30 times more.
public func sha256Hex(_ text: String) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: Array(text.utf8)) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: hex, as: UTF8.self)
}

/// Whether `text` could be a `randomToken()`: 43 base64url characters.
public func looksLikeRandomToken(_ text: Substring) -> Bool {
    text.utf8.count == 43 && text.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}

/// 256 random bits from the system's generator, in unpadded base64url (43 characters).
public func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
