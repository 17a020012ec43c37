import Testing
@testable import WeChat

@Suite struct WeChatErrorTests {
    @Test(arguments: [
        (40001, WeChatError.Kind.invalidToken), (40014, .invalidToken), (42001, .invalidToken),
        (40013, .credentials), (40125, .credentials), (40164, .credentials), (89_503, .credentials),
        (-1, .retryLater), (45011, .retryLater), (300_000, .retryLater), (990_010, .retryLater),
        (45009, .dailyQuota),
        (47001, .refused), (990_007, .refused), (1_090_011, .refused), (1_090_049, .refused), (48001, .refused),
    ])
    func codesAreSortedByWhatTheyAskOfTheCaller(code: Int, kind: WeChatError.Kind) {
        #expect(WeChatError(code: code, message: "").kind == kind)
    }

    @Test func accessTokensAreRedactedFromURLsAndJSON() {
        let url = "https://api.weixin.qq.com/shop/coupon/add?access_token=ABC.def-123&x=1"
        #expect(url.redactingAccessTokens == "https://api.weixin.qq.com/shop/coupon/add?access_token=REDACTED&x=1")
        let body = #"{"access_token":"secret-token","expires_in":7200}"#
        #expect(body.redactingAccessTokens == #"{"access_token":"REDACTED","expires_in":7200}"#)
        let twice = "a?access_token=one b?access_token=two"
        #expect(twice.redactingAccessTokens == "a?access_token=REDACTED b?access_token=REDACTED")
        #expect("no token here".redactingAccessTokens == "no token here")
    }
}

@Suite struct CallPauseTests {
    @Test func theDailyQuotaPausesUntilWeChatsNextDay() throws {
        // 2026-11-23 15:59:59 UTC is 23:59:59 in China: the pause ends a second later.
        let now = 1_795_449_599.0
        let pause = try #require(CallPause.after(WeChatError(code: 45009, message: "reach max api daily quota limit"), at: now, credentialPause: 600))
        #expect(pause.until == now + 1)
        #expect(CallPause.after(WeChatError(code: 45011, message: "api minute-quota reach limit"), at: now, credentialPause: 600) == nil)
        #expect(CallPause.after(WeChatError(code: 40164, message: "invalid ip"), at: now, credentialPause: 600)?.until == now + 600)
    }
}
