import Testing
@testable import WeChatSandbox

@Suite struct SandboxTokensTests {
    @Test func inItsLastOverlapAStableTokenGetsASuccessorAndLastsOutItsTime() {
        var tokens = SandboxTokens(lifetime: 7200, overlap: 300)
        let first = tokens.stableToken(forceRefresh: false, now: 0)
        #expect(tokens.stableToken(forceRefresh: false, now: 6899) == first)
        let second = tokens.stableToken(forceRefresh: false, now: 6901)
        #expect(second != first)
        #expect(second.expiresAt == 6901 + 7200)
        #expect(tokens.check(first.value, now: 7199) == 0)
        #expect(tokens.check(first.value, now: 7200) == 42001)
        #expect(tokens.check(second.value, now: 7200) == 0)
    }

    @Test func aForcedRefreshEndsTheOldTokenAtOnce() {
        var tokens = SandboxTokens(lifetime: 7200, overlap: 300)
        let first = tokens.stableToken(forceRefresh: false, now: 0)
        let forced = tokens.stableToken(forceRefresh: true, now: 10)
        #expect(tokens.check(first.value, now: 10) == 40001)
        #expect(tokens.check(forced.value, now: 10) == 0)
        #expect(tokens.check("never-issued", now: 10) == 40001)
        #expect(tokens.check(nil, now: 10) == 41001)
    }

    @Test func errcodesFollowWhatTheDecoderFound() {
        #expect(Sandbox.errcode(for: [.init(field: "coupon.coupon_info.discount_info", message: "is required")]) == 1_090_049)
        #expect(Sandbox.errcode(for: [.init(field: "coupon.coupon_info.discount_info.discount_condition.out_product_ids", message: "is required for type 3 (product flat discount)")]) == 1_090_011)
        #expect(Sandbox.errcode(for: [.init(field: "coupon.coupon_info.receive_info.end_time", message: "must be after start_time (5)")]) == 990_009)
        #expect(Sandbox.errcode(for: [.init(field: "coupon.coupon_info.name", message: "must be at most 32 characters")]) == 990_008)
        #expect(Sandbox.errcode(for: [.init(field: "coupon.type", message: "is required")]) == 990_007)
    }
}
