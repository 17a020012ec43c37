import Coupons
import Storage

/// The values of a coupon's page: every field in words and units, where it stands at WeChat, the
/// calls made for it and who did what with it.
struct CouponPage {
    let record: CouponRecord
    let attempts: [AppDatabase.SyncAttempt]
    let history: [AppDatabase.AuditEntry]
    let words: CouponWords
    let href: String
    let canEdit: Bool
    let hasWeChat: Bool

    private var catalog: Catalog { words.language.catalog }

    var values: [String: Any] {
        var values: [String: Any] = [
            "id": record.outCouponID, "name": record.name, "href": href,
            "facts": facts, "wechatFacts": wechatFacts,
            "syncState": record.syncState, "sync": words.sync(record.syncState), "status": words.status(record.wechatStatus),
            "canEdit": canEdit, "noWeChat": !hasWeChat, "canRetry": record.syncState != SyncState.synced.rawValue,
            "hasAttempts": !attempts.isEmpty,
            "attempts": attempts.reversed().map { attempt -> [String: Any] in
                let result: String
                if let code = attempt.errcode, code != 0 {
                    result = catalog.text("coupon.errcode", String(code), attempt.failure ?? "") + " — " + words.errcode(code)
                } else {
                    result = attempt.failure ?? catalog["attempts.ok"]
                }
                return [
                    "when": words.time(Int(attempt.at)), "endpoint": attempt.endpoint, "result": result,
                    "duration": catalog.text("attempts.ms", String(Int(attempt.durationMilliseconds.rounded()))),
                ]
            },
            "hasHistory": !history.isEmpty,
            "history": history.map { entry -> [String: Any] in
                ["when": words.time(entry.at), "who": entry.actor, "what": catalog.texts["action.\(entry.action)"] ?? entry.action]
            },
        ]
        if let error = record.syncError {
            values["lastError"] = error
            if let code = attempts.last(where: { ($0.errcode ?? 0) != 0 })?.errcode { values["explained"] = catalog.text("coupon.errcode", String(code), words.errcode(code)) }
        }
        return values
    }

    private var facts: [[String: Any]] {
        var facts: [[String: Any]] = [
            fact("coupon.id", record.outCouponID, mono: true),
            fact("coupon.type", words.type(rawValue: record.type)),
        ]
        if let coupon = record.coupon {
            let info = coupon.couponInfo
            facts.append(fact("coupon.offer", words.offer(coupon)))
            if let ids = info.discountInfo.discountCondition?.outProductIDs { facts.append(fact("coupon.products", ids.joined(separator: ", "), mono: true)) }
            facts += [
                fact("coupon.claim", words.claimWindow(coupon)),
                fact("coupon.per_person", String(info.receiveInfo.limitNumOnePerson)),
                fact("coupon.total", String(info.receiveInfo.totalNum)),
                fact("coupon.use", words.use(info.validInfo)),
                fact("coupon.channels", info.promoteInfo.finderNickname),
            ]
        }
        facts.append(fact("coupon.created", catalog.text("coupon.created_by", words.time(record.createdAt), record.createdBy ?? "—")))
        return facts
    }

    private var wechatFacts: [[String: Any]] {
        var facts: [[String: Any]] = []
        if let time = record.wechatCreateTime { facts.append(fact("coupon.wechat_created", words.time(time))) }
        if let time = record.wechatUpdateTime { facts.append(fact("coupon.wechat_updated", words.time(time))) }
        return facts
    }

    private func fact(_ key: String, _ value: String, mono: Bool = false) -> [String: Any] {
        ["label": catalog[key], "value": value, "mono": mono]
    }
}
