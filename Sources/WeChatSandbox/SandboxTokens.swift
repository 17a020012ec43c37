/// Access tokens as WeChat hands them out, on the sandbox's clock (unix seconds).
///
/// - `/cgi-bin/stable_token` returns the same token while more than `overlap` seconds of it are left;
///   in its last `overlap` seconds the next fetch issues a new one, and the old one lasts out its time.
///   `force_refresh: true` issues a new token and ends the old one at once.
/// - `/cgi-bin/token` issues a new token on every fetch; the one before stays valid for `overlap`
///   seconds more, then answers 40001 ("not latest").
struct SandboxTokens {
    struct Issued: Equatable {
        var value: String
        var expiresAt: Double
    }

    var lifetime: Double
    var overlap: Double
    private(set) var stable: Issued?
    /// Replaced tokens: they work until `validUntil`, then answer 40001, or 42001 once past their own expiry.
    private var retired: [String: (validUntil: Double, expiresAt: Double)] = [:]
    private var issuedCount = 0

    init(lifetime: Double, overlap: Double) {
        self.lifetime = lifetime
        self.overlap = overlap
    }

    mutating func stableToken(forceRefresh: Bool, now: Double) -> Issued {
        if let current = stable, !forceRefresh, current.expiresAt - now > overlap {
            return current
        }
        if let current = stable {
            retired[current.value] = (forceRefresh ? now : current.expiresAt, current.expiresAt)
        }
        let next = issue(now: now)
        stable = next
        return next
    }

    mutating func legacyToken(now: Double) -> Issued {
        if let current = stable {
            retired[current.value] = (min(current.expiresAt, now + overlap), current.expiresAt)
        }
        let next = issue(now: now)
        stable = next
        return next
    }

    /// 0 when `token` may call the API now, else WeChat's errcode: 40001 for a token that was
    /// replaced or never issued, 42001 for one that ran out its life.
    func check(_ token: String?, now: Double) -> Int {
        guard let token, !token.isEmpty else { return 41001 }
        if let current = stable, current.value == token {
            return now < current.expiresAt ? 0 : 42001
        }
        guard let old = retired[token] else { return 40001 }
        if now < old.validUntil { return 0 }
        return now >= old.expiresAt ? 42001 : 40001
    }

    private mutating func issue(now: Double) -> Issued {
        issuedCount += 1
        let random = (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 36) }.joined()
        return Issued(value: "sandbox-\(issuedCount)-\(random)", expiresAt: now + lifetime)
    }
}
