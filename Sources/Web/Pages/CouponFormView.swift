import Coupons

/// The coupon form page's values, for a new coupon or an edit: each field with its label, explanation,
/// the value as typed and its message, grouped as the page shows them.
struct CouponFormView {
    enum Purpose {
        case create
        /// Editing the stored coupon whose page is at `href`, as it was at `version`: its id stays as it is.
        /// With `conflict`, someone else saved it after the form was loaded.
        case edit(href: String, version: Int?, conflict: EditConflict? = nil)
    }

    /// Someone else's save between loading the edit form and saving it: the coupon as it is now, and
    /// whose change it was.
    struct EditConflict {
        var stored: CouponForm
        /// The edit as a form again, from the coupon it describes: as `stored` is, without what the type leaves out.
        var yours: CouponForm
        var by: String?
        var at: Int?
    }

    let form: CouponForm
    let errors: FormErrors
    let words: CouponWords
    var purpose = Purpose.create

    private var catalog: Catalog { words.language.catalog }

    var values: [String: Any] {
        var values: [String: Any] = [
            "intro": catalog.text("form.intro", words.clock.timeZone.identifier),
            "heading": catalog[editing ? "form.edit_title" : "form.title"],
            "submitLabel": catalog[editing ? "form.edit_submit" : "form.submit"],
            "typeChoices": CouponType.allCases.map { type -> [String: Any] in
                ["value": type.rawValue, "label": words.type(type), "hint": catalog["type.hint.\(type.rawValue)"],
                 "selected": form["type"] == String(type.rawValue)]
            },
            "validTypes": ValidType.allCases.map { type -> [String: Any] in
                ["value": type.rawValue, "label": catalog["form.valid_type.\(type.rawValue)"], "selected": form["valid_type"] == String(type.rawValue)]
            },
            "basicFields": ["out_coupon_id", "name", "finder_nickname"].map { field($0) },
            "offerFields": CouponForm.offerFields.map { offerField($0.name, gives: $0.gives) },
            "claimFields": [time("claim_start"), time("claim_end"), field("per_person", inputMode: "numeric"), field("total", inputMode: "numeric")],
            "useFields": [
                time("valid_start", valid: .timeRange), time("valid_end", valid: .timeRange),
                field("valid_days", inputMode: "numeric", valid: .days), field("valid_hours", inputMode: "decimal", valid: .seconds),
            ],
        ]
        if case .edit(let href, let version, let conflict) = purpose {
            values["action"] = href + "/edit"
            values["cancelHref"] = href
            if let version { values["version"] = String(version) }
            if let conflict { values["conflict"] = conflictValues(conflict) }
        }
        if !errors.problems.isEmpty { values["failed"] = true }
        if let problem = errors.problems[""] { values["general"] = catalog.text(problem) }
        if let problem = errors.problems["type"] { values["typeError"] = catalog.text(problem) }
        if let problem = errors.problems["valid_type"] { values["validTypeError"] = catalog.text(problem) }
        return values
    }

    /// Both versions, field by field where they differ: theirs as stored, and this form's.
    private func conflictValues(_ conflict: EditConflict) -> [String: Any] {
        let who = conflict.by ?? catalog["form.conflict_someone"]
        let when = conflict.at.map(words.time) ?? ""
        let differing = CouponForm.fieldNames.filter { conflict.stored[$0] != conflict.yours[$0] }
        return [
            "message": catalog.text("form.conflict", who, when),
            "rows": differing.map { name -> [String: String] in
                ["label": catalog["form.\(name)"], "theirs": shown(name, conflict.stored[name]), "yours": shown(name, conflict.yours[name])]
            },
        ]
    }

    /// A form value as the page shows it: types and validity kinds in words.
    private func shown(_ name: String, _ value: String) -> String {
        switch name {
        case "type": Int(value).flatMap(CouponType.init(rawValue:)).map(words.type) ?? value
        case "valid_type": catalog.texts["form.valid_type.\(value)"] ?? value
        default: value
        }
    }

    private var editing: Bool {
        if case .edit = purpose { true } else { false }
    }

    private func offerField(_ name: String, gives part: DiscountField) -> [String: Any] {
        let types = CouponType.allCases.filter { $0.requiredFields.contains(part) }
        let inputMode = name.hasSuffix("_yuan") || name.hasSuffix("_zhe") ? "decimal" : name.hasSuffix("_count") ? "numeric" : nil
        var values = field(name, inputMode: inputMode, textarea: name == "product_ids")
        values["types"] = types.map { String($0.rawValue) }.joined(separator: " ")
        values["appliesTo"] = catalog.text("form.for", words.list(types.map(words.type)))
        return values
    }

    private func time(_ name: String, valid: ValidType? = nil) -> [String: Any] {
        var values = field(name, inputType: "datetime-local", valid: valid)
        values["hint"] = catalog.text("form.time.hint", words.clock.timeZone.identifier)
        return values
    }

    private func field(
        _ name: String, inputType: String = "text", inputMode: String? = nil, textarea: Bool = false, valid: ValidType? = nil
    ) -> [String: Any] {
        var values: [String: Any] = ["name": name, "label": catalog["form.\(name)"], "value": form[name], "inputType": inputType]
        if let hint = catalog.texts["form.\(name).hint"] { values["hint"] = hint }
        if let inputMode { values["inputMode"] = inputMode }
        if textarea { values["textarea"] = true }
        if let valid { values["valid"] = String(valid.rawValue) }
        if name == "out_coupon_id", editing { values["fixed"] = true }
        if let problem = errors.problems[name] { values["error"] = catalog.text(problem) }
        return values
    }
}
