import Testing
@testable import Web

@Suite struct FailureThrottleTests {
    @Test func theThirdFailureAndEachAfterItBlockTwiceAsLongAsTheLast() {
        let throttle = FailureThrottle(freeFailures: 3, maximumBlock: 10, forgetAfter: 900)
        let keys = ["address:10.0.0.1"]
        for _ in 1...2 { throttle.recordFailure(keys, now: 100) }
        #expect(throttle.retryAfter(keys, now: 100) == nil, "the third try is still answered")
        var blocks: [Int] = []
        var now = 100
        for _ in 1...6 {
            throttle.recordFailure(keys, now: now)
            let wait = throttle.retryAfter(keys, now: now) ?? 0
            blocks.append(wait)
            #expect(throttle.retryAfter(keys, now: now + wait - 1) != nil, "blocked to the end of its last second")
            now += wait
            #expect(throttle.retryAfter(keys, now: now) == nil, "free again once the block has passed")
        }
        // 1, 2, 4, 8, 10, 10 seconds, each with the rest of the second it began in.
        #expect(blocks == [2, 3, 5, 9, 11, 11])
        #expect(throttle.retryAfter(["address:10.0.0.2"], now: 100) == nil, "another address is not touched")
    }

    @Test func failuresAreRememberedUntilForgotten() {
        let throttle = FailureThrottle(freeFailures: 3, maximumBlock: 60, forgetAfter: 100)
        #expect(!throttle.hasFailures("account:li.wei address:a", now: 0))
        throttle.recordFailure(["account:li.wei address:a"], now: 0)
        #expect(throttle.hasFailures("account:li.wei address:a", now: 99))
        #expect(!throttle.hasFailures("account:li.wei address:a", now: 100))
    }

    @Test func aSuccessClearsAndOldFailuresAreForgotten() {
        let throttle = FailureThrottle(freeFailures: 2, maximumBlock: 60, forgetAfter: 100)
        throttle.recordFailure(["account:li.wei"], now: 0)
        throttle.recordFailure(["account:li.wei"], now: 0)
        #expect(throttle.retryAfter(["account:li.wei"], now: 0) == 2)
        throttle.recordSuccess(["account:li.wei"])
        #expect(throttle.retryAfter(["account:li.wei"], now: 0) == nil)
        throttle.recordFailure(["account:li.wei"], now: 0)
        throttle.recordFailure(["account:li.wei"], now: 200)  // the first is forgotten by now: this one is free
        #expect(throttle.retryAfter(["account:li.wei"], now: 200) == nil)
    }

    @Test func anyBlockedKeyBlocksAndTheLongestWaitIsGiven() {
        let throttle = FailureThrottle(freeFailures: 1, maximumBlock: 60, forgetAfter: 900)
        throttle.recordFailure(["address:a"], now: 0)
        throttle.recordFailure(["account:x"], now: 0)
        throttle.recordFailure(["account:x"], now: 0)
        #expect(throttle.retryAfter(["address:a", "account:x"], now: 0) == 3)
        #expect(throttle.retryAfter(["address:b", "account:y"], now: 0) == nil)
    }

    @Test func memoryStaysBounded() {
        let throttle = FailureThrottle(freeFailures: 1, maximumBlock: 60, forgetAfter: 900, capacity: 100)
        for index in 0..<1_000 { throttle.recordFailure(["address:\(index)"], now: index) }
        #expect(throttle.retryAfter(["address:999"], now: 999) != nil, "the newest is kept")
        #expect(throttle.retryAfter(["address:0"], now: 0) == nil, "the oldest made room")
    }
}
