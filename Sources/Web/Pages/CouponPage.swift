import Coupons
import Storage

/// The values of a coupon's page: every field in words and units, where it stands at WeChat, the
/// changes still to send, the calls made for it, who did what with it, and the actions allowed now.
struct CouponPage {
    let record: CouponRecord
    let attempts: [SyncAttempt]
    let changes: [CouponChange]
    let history: [AuditEntry]
    let words: CouponWords
    let href: String
    let canEdit: Bool
    let hasWeChat: Bool
    /// The stock form as last sent, when it comes back with its problems.
    var stockForm: CouponForm?
    var stockErrors = FormErrors()
    /// Why the action just asked for was not done, in the user's words.
    var problem: String?

    private var statusHere: CouponStatus { CouponStatus(rawValue: record.status) ?? .notActive }

    private var catalog: Catalog { words.language.catalog }

    var values: [String: Any] {
        var values: [String: Any] = [
            "id": record.outCouponID, "name": record.name, "href": href, "version": String(record.version),
            "facts": facts, "wechatFacts": wechatFacts,
            "syncState": record.syncState.rawValue, "sync": words.sync(record.syncState), "status": words.status(record.wechatStatus),
            "canEdit": canEdit, "noWeChat": !hasWeChat, "canRetry": record.syncState != .synced,
            "canEditBody": statusHere.isEditable, "transitions": transitions, "canSetStock": statusHere == .active, "stockFields": stockFields,
            "hasChanges": !changes.isEmpty, "changes": changes.map(change),
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
        if record.syncAttemptsTotal > attempts.count {
            values["olderAttempts"] = catalog.text("attempts.older", String(attempts.count), String(record.syncAttemptsTotal))
        }
        if let paths = record.wechatDiffers { values["differs"] = catalog.text("coupon.differs", paths.split(separator: ",").joined(separator: ", ")) }
        if let problem { values["problem"] = problem }
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

    /// The status changes WeChat allows from the status here, each a button.
    private var transitions: [[String: Any]] {
        statusHere.next.map { status in
            ["value": status.rawValue, "label": catalog["coupon.to_status.\(status.rawValue)"], "final": status == .voided]
        }
    }

    private var stockFields: [[String: Any]] {
        ["issued_num", "receive_num"].map { name in
            let stored = name == "issued_num" ? record.issuedNum : record.receiveNum
            var field: [String: Any] = [
                "name": name, "label": catalog["stock.\(name)"], "hint": catalog["stock.\(name).hint"], "inputType": "text", "inputMode": "numeric",
                "value": stockForm?.values[name] ?? stored.map(String.init) ?? "",
            ]
            if let problem = stockErrors.problems[name] { field["error"] = catalog.text(problem) }
            return field
        }
    }

    /// A change still to send, or refused, in words.
    private func change(_ change: CouponChange) -> [String: Any] {
        let what: String
        switch change.kind {
        case .update: what = catalog["change.update"]
        case .updateStatus: what = catalog.text("change.update_status", words.status(change.status))
        case .updateCouponStock: what = catalog.text("change.update_coupon_stock", String(change.issuedNum ?? 0), String(change.receiveNum ?? 0))
        case .addUserCoupon, .updateUserCoupon: what = catalog["change.\(change.kind.rawValue)"]
        case .updateUserCouponStatus: what = catalog.text("change.update_usercoupon_status", catalog["user_coupon.status.\(change.status ?? 0)"])
        }
        var state = words.sync(change.state)
        if let error = change.error { state += ": " + error + (change.errcode.map { " — " + words.errcode($0) } ?? "") }
        return ["when": words.time(change.requestedAt), "who": change.requestedBy, "what": what, "state": state, "stateName": change.state.rawValue]
    }

    private var wechatFacts: [[String: Any]] {
        var facts: [[String: Any]] = []
        if statusHere.rawValue != record.wechatStatus { facts.append(fact("coupon.status_here", words.status(statusHere.rawValue))) }
        if let issued = record.issuedNum {
            facts.append(fact("coupon.stock", catalog.text("coupon.stock_value", String(issued), String(record.receiveNum ?? 0))))
        }
        if let time = record.wechatCreateTime { facts.append(fact("coupon.wechat_created", words.time(time))) }
        if let time = record.wechatUpdateTime { facts.append(fact("coupon.wechat_updated", words.time(time))) }
        return facts
    }

    private func fact(_ key: String, _ value: String, mono: Bool = false) -> [String: Any] {
        ["label": catalog[key], "value": value, "mono": mono]
    }
}
