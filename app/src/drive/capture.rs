//! 受付 and 検体採取: the person (氏名 … 住所, with duplicate hints from the device's own queue) and the specimen
//! (method, specimen, collection time with one-tap 「今」, the code and its QR label) on one screen; saved to the
//! vault as version 1, waiting to be sent. The same form corrects a saved record (version + 1). Bad input is shown
//! at its field and never clears what was typed.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::api::sync::{DriveRecord, Person, Site, Specimen};
use shared::case::tabs::{clean, Tab, SPECIMENS, TEST_METHODS};
use shared::drive::{display_code, id_tab, jst_date, jst_time, QR_PREFIX};
use shared::notification::dates::{age_on, parse_typed};
use shared::notification::postal::{named_in, PostalCode, PostalMunicipality};

use crate::components::postal_choice::{text_after_choice, PostalChoice};

use super::page::View;
use super::qr::QrCodeSvg;
use super::{jst_ms, new_client_id, new_code, now_ms, today, DriveCtx, Entry, Notify, SyncState};
use crate::api;
use crate::components::alert::ErrorAlert;

/// Short labels for gloved fingers, and the test method each stands for.
pub const METHOD_CHIPS: &[(&str, usize)] = &[
    ("PCR", 1),
    ("抗原定性", 2),
    ("抗原定量", 3),
    ("分離・同定", 0),
];
/// The specimens of a drive-through site first; the rest behind 「その他の検体」.
const COMMON_SPECIMENS: &[&str] = &["鼻咽頭拭い液", "鼻腔拭い液", "唾液", "咽頭拭い液"];

pub fn method_short(method: &str) -> &str {
    METHOD_CHIPS
        .iter()
        .find(|(_, i)| TEST_METHODS[*i] == method)
        .map(|(s, _)| *s)
        .unwrap_or(method)
}

/// What the form holds, as typed.
#[derive(Clone, PartialEq, Default)]
struct Draft {
    name: String,
    furigana: String,
    /// As typed (8 digits, or 和暦).
    dob: String,
    sex: String,
    phone: String,
    postal: String,
    address: String,
    method: String,
    specimen: String,
    /// HH:MM (JST).
    time: String,
    /// The collection day (JST); today for a new capture.
    day: Option<NaiveDate>,
    code: String,
    /// 担当保健所 of a saved record (changed here when the server refused it); a new capture takes the site's.
    hc: String,
}

impl Draft {
    fn from_entry(e: &Entry) -> Draft {
        let p = &e.record.person;
        let s = &e.record.specimen;
        Draft {
            name: p.name.clone(),
            furigana: p.furigana.clone(),
            dob: p.date_of_birth.replace('-', ""),
            sex: p.sex.clone(),
            phone: p.phone.clone(),
            postal: p.postal_code.clone(),
            address: p.address.clone(),
            method: s.method.clone(),
            specimen: s.specimen.clone(),
            time: jst_time(s.collected_at),
            day: jst_date(s.collected_at),
            code: s.code.clone(),
            hc: e.record.health_center_id.clone(),
        }
    }
}

type Findings = Vec<(&'static str, String)>;

/// The record the draft makes, or the findings by field key (the form's input names).
fn build(
    d: &Draft,
    base: Option<&Entry>,
    site: Option<&super::SiteSession>,
) -> Result<DriveRecord, Findings> {
    let now = now_ms();
    let today = today();
    let mut out: Findings = Vec::new();
    let dob = match d.dob.trim() {
        "" => String::new(),
        t => match parse_typed(t) {
            Some(date) if date > today => {
                out.push(("date_of_birth", "生年月日が未来の日付です。".into()));
                String::new()
            }
            Some(date) => date.to_string(),
            None => {
                out.push((
                    "date_of_birth",
                    "生年月日は 8 桁の数字（例 19800401）で入力してください。".into(),
                ));
                String::new()
            }
        },
    };
    let postal = match d.postal.trim() {
        "" => String::new(),
        t => match PostalCode::parse(t) {
            Ok(c) => c.digits().to_owned(),
            Err(_) => {
                out.push((
                    "postal_code",
                    "郵便番号は 7 桁の数字（例 1600023）で入力してください。".into(),
                ));
                String::new()
            }
        },
    };
    let person = Person {
        name: d.name.trim().to_owned(),
        furigana: shared::kana::normalize_furigana(d.furigana.trim()),
        date_of_birth: dob,
        sex: d.sex.clone(),
        phone: d.phone.trim().to_owned(),
        postal_code: postal,
        address: d.address.trim().to_owned(),
    };
    if person.name.is_empty() {
        out.push(("name", "氏名を入力してください。".into()));
    }
    // The checks the server's ID管理 tab makes (phone numbers, lengths, characters).
    if let Err(issues) = clean(Tab::Id, &id_tab(&person, None), today) {
        for i in issues {
            let key = match i.field.as_str() {
                "name" => "name",
                "furigana" => "furigana",
                "date_of_birth" => "date_of_birth",
                "sex" => "sex",
                "phone1" => "phone",
                "postal_code" => "postal_code",
                "address" => "address",
                _ => "form",
            };
            if !out.iter().any(|(k, _)| *k == key) {
                out.push((key, i.message));
            }
        }
    }
    let collected_at = if d.time.trim().is_empty() {
        out.push((
            "collected_at",
            "採取時刻を入力してください（「今」で現在時刻）。".into(),
        ));
        0
    } else {
        match jst_ms(d.day.unwrap_or(today), &d.time) {
            Some(t) => t,
            None => {
                out.push((
                    "collected_at",
                    "採取時刻は 14:05 のように入力してください。".into(),
                ));
                0
            }
        }
    };
    let (site_rec, hc) = match (base, site) {
        (Some(e), _) => (e.record.site.clone(), d.hc.clone()),
        (None, Some(s)) => (
            Site {
                name: s.name.clone(),
                staff: s.staff.clone(),
                date: s.date.clone(),
            },
            s.health_center_id.clone(),
        ),
        (None, None) => {
            out.push(("form", "会場の情報がありません。".into()));
            return Err(out);
        }
    };
    let mut record = DriveRecord {
        client_id: base
            .map(|e| e.id().to_owned())
            .unwrap_or_else(new_client_id),
        version: base.map_or(1, |e| e.record.version + 1),
        base_case_version: base.and_then(|e| e.record.base_case_version),
        health_center_id: hc,
        site: site_rec,
        person,
        specimen: Specimen {
            code: d.code.clone(),
            method: d.method.clone(),
            specimen: d.specimen.clone(),
            collected_at,
        },
        result: base.and_then(|e| e.record.result.clone()),
    };
    if let Some(r) = record.result.as_mut() {
        // A result recorded before a corrected, later collection time moves with it.
        r.at = r.at.max(collected_at);
    }
    for (field, message) in shared::drive::check(&record, now) {
        let key = match field.as_str() {
            "specimen.method" => "method",
            "specimen.specimen" => "specimen",
            "specimen.collected_at" => "collected_at",
            "specimen.code" => "code",
            _ => "form",
        };
        if !(key == "collected_at" && out.iter().any(|(k, _)| *k == key)) {
            out.push((key, message));
        }
    }
    if out.is_empty() {
        Ok(record)
    } else {
        Err(out)
    }
}

/// The server's findings of a refused record, by the form's field keys.
fn server_findings(e: &Entry) -> Findings {
    let SyncState::Error { issues, .. } = &e.sync else {
        return Vec::new();
    };
    const KEYS: &[&str] = &[
        "name",
        "furigana",
        "date_of_birth",
        "sex",
        "phone",
        "postal_code",
        "address",
        "method",
        "specimen",
        "collected_at",
        "code",
    ];
    issues
        .iter()
        .map(|(field, message)| {
            let last = field.rsplit('.').next().unwrap_or_default();
            let key = if field == "health_center_id" {
                "hc"
            } else if field == "person.phone1" {
                "phone"
            } else {
                KEYS.iter().copied().find(|k| *k == last).unwrap_or("form")
            };
            (key, message.clone())
        })
        .collect()
}

fn normalized(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn phone_digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

/// Earlier arrivals on this device that may be the same person: same name and birth date, or same phone.
fn possible_duplicates(d: &Draft, entries: &[Entry], editing: Option<&str>) -> Vec<(u32, String)> {
    let name = normalized(&d.name);
    let dob = parse_typed(&d.dob).map(|x| x.to_string());
    let phone = phone_digits(&d.phone);
    entries
        .iter()
        .filter(|e| Some(e.id()) != editing)
        .filter(|e| {
            let p = &e.record.person;
            let same_person = !name.is_empty()
                && dob.as_deref().is_some_and(|x| x == p.date_of_birth)
                && normalized(&p.name) == name;
            let same_phone = phone.len() >= 10 && phone_digits(&p.phone) == phone;
            same_person || same_phone
        })
        .map(|e| (e.no, e.record.person.name.clone()))
        .collect()
}

#[component]
pub fn CaptureForm(editing: Option<String>) -> Element {
    let ctx = use_context::<DriveCtx>();
    let base = editing.as_deref().and_then(|id| ctx.entry(id));
    let base_for_init = base.clone();
    let mut draft = use_signal(move || match &base_for_init {
        Some(e) => Draft::from_entry(e),
        None => {
            let site = ctx
                .site
                .peek()
                .clone()
                .unwrap_or_else(|| super::SiteSession {
                    name: String::new(),
                    staff: String::new(),
                    date: String::new(),
                    health_center_id: String::new(),
                    health_center_name: String::new(),
                    next_no: 1,
                    last_method: String::new(),
                    last_specimen: String::new(),
                });
            Draft {
                method: site.last_method,
                specimen: site.last_specimen,
                day: Some(today()),
                code: new_code(&ctx.entries.peek()),
                ..Draft::default()
            }
        }
    });
    // A record the server refused opens with the server's findings at their fields.
    let refused = base.as_ref().map(server_findings).unwrap_or_default();
    let mut findings = use_signal(move || refused);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut postal_note = use_signal(String::new);
    let mut postal_choices = use_signal(Vec::<PostalMunicipality>::new);
    // A record opened again shows the choice of its postal code when it has several municipalities.
    use_hook(move || {
        if let Ok(code) = PostalCode::parse(&draft.peek().postal) {
            spawn(async move {
                if let Ok(found) = super::postal::address_for(&code).await {
                    if found.len() > 1 {
                        postal_choices.set(found);
                    }
                }
            });
        }
    });
    let mut more_specimens = use_signal(|| {
        let s = draft.peek().specimen.clone();
        !s.is_empty() && !COMMON_SPECIMENS.contains(&s.as_str())
    });
    let centers = super::queue::use_health_center_options();

    let d = draft();
    let dups = possible_duplicates(&d, &ctx.entries.read(), editing.as_deref());
    let found = findings();
    let msg = move |key: &str| -> Option<String> {
        found
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, m)| m.clone())
    };
    let dob_note = parse_typed(&d.dob).map(|x| {
        let mut n = crate::notification::sheet::wareki(Some(x));
        if let Some(a) = age_on(x, today()) {
            n.push_str(&format!("・{}歳", a.years));
        }
        n
    });
    let title = if base.is_some() {
        "記録を修正する"
    } else {
        "受付・検体採取"
    };
    let number = base
        .as_ref()
        .map(|e| e.no)
        .unwrap_or_else(|| ctx.site.read().as_ref().map_or(1, |s| s.next_no));
    let editing2 = editing.clone();
    let is_new = base.is_none();

    let save =
        move |_| {
            if busy() {
                return;
            }
            let site = ctx.site.peek().clone();
            let base = editing2.as_deref().and_then(|id| ctx.entry(id));
            match build(&draft.peek(), base.as_ref(), site.as_ref()) {
                Err(f) => {
                    let first = f.first().map(|(k, _)| *k);
                    findings.set(f);
                    error.set(Some(
                        "入力内容を確認してください。赤字の項目を直してから保存します。".into(),
                    ));
                    if let Some(k) = first {
                        api::focus_by_id(&format!("d-{}", k.replace('_', "-")));
                    }
                }
                Ok(record) => {
                    findings.set(Vec::new());
                    error.set(None);
                    busy.set(true);
                    spawn(async move {
                        let is_new = base.is_none();
                        let no = base
                            .as_ref()
                            .map_or_else(|| site.as_ref().map_or(1, |s| s.next_no), |e| e.no);
                        let entry = Entry {
                            no,
                            record: record.clone(),
                            sync: SyncState::Pending,
                            synced_version: 0,
                            case_id: None,
                            smartphone_id: None,
                            notify: Notify::None,
                            created_at: now_ms(),
                        };
                        // The site's next number and the defaults of the next capture go first: a number is never
                        // given twice, even if the record's save fails after it.
                        if let Some(mut s) = site.clone() {
                            if is_new {
                                s.next_no = no + 1;
                            }
                            s.last_method = record.specimen.method.clone();
                            s.last_specimen = record.specimen.specimen.clone();
                            if Some(&s) != site.as_ref() {
                                if let Err(e) = ctx.save_site(s).await {
                                    busy.set(false);
                                    error.set(Some(e));
                                    return;
                                }
                            }
                        }
                        let saved = if is_new {
                            ctx.add(entry).await
                        } else {
                            // The correction, onto the entry as it is now (a sync answer may have come meanwhile).
                            let fixed = record.clone();
                            ctx.update(&fixed.client_id.clone(), move |e| {
                                let collected_at = fixed.specimen.collected_at;
                                e.record.person = fixed.person;
                                e.record.specimen = fixed.specimen;
                                e.record.health_center_id = fixed.health_center_id;
                                if let Some(r) = e.record.result.as_mut() {
                                    r.at = r.at.max(collected_at);
                                }
                                e.record.version += 1;
                                e.sync = SyncState::Pending;
                            })
                            .await
                            .map(|_| ())
                        };
                        match saved {
                            Ok(()) => {
                                busy.set(false);
                                ctx.request_sync();
                                ctx.go(
                                    View::Label(record.client_id.clone()),
                                    Some(format!(
                                    "No.{no} {} さんの{}を保存しました（端末に暗号化して保存）。",
                                    record.person.name,
                                    if is_new { "受付・検体採取" } else { "修正" }
                                )),
                                );
                            }
                            Err(e) => {
                                busy.set(false);
                                error.set(Some(e));
                            }
                        }
                    });
                }
            }
        };

    // A finding goes once its field is changed (the rest stay until the next 保存).
    let mut clear = move |key: &'static str| {
        if findings.peek().iter().any(|(k, _)| *k == key) {
            findings.write().retain(|(k, _)| *k != key);
        }
    };
    let field_class = move |key: &str, found: &Findings| {
        if found.iter().any(|(k, _)| *k == key) {
            "field has-error"
        } else {
            "field"
        }
    };
    let f2 = findings();
    let code = d.code.clone();

    rsx! {
        div { class: "drive-form form-root no-print", "data-testid": "capture-form",
            h2 { class: "drive-title", "{title}" span { class: "drive-no", "No.{number}" } }
            if let Some(e) = &base {
                if let super::SyncState::Error { message, .. } = &e.sync {
                    p { class: "alert", role: "alert", "送信エラー: {message}" }
                }
            }
            fieldset { class: "drive-section",
                legend { "受付（ご本人の情報）" }
                div { class: field_class("name", &f2),
                    label { class: "field-label", r#for: "d-name", "氏名（必須）" }
                    input { id: "d-name", class: "input", r#type: "text", autocomplete: "off", value: "{d.name}",
                        oninput: move |e| { draft.write().name = e.value(); clear("name"); },
                        onmounted: move |e| async move {
                            if is_new {
                                let _ = e.set_focus(true).await;
                            }
                        } }
                    if let Some(m) = msg("name") { p { class: "field-error", role: "alert", "{m}" } }
                }
                div { class: field_class("furigana", &f2),
                    label { class: "field-label", r#for: "d-furigana", "フリガナ" }
                    input { id: "d-furigana", class: "input", r#type: "text", autocomplete: "off", value: "{d.furigana}",
                        oninput: move |e| { draft.write().furigana = e.value(); clear("furigana"); },
                        onchange: move |e| draft.write().furigana = shared::kana::normalize_furigana(&e.value()) }
                    if let Some(m) = msg("furigana") { p { class: "field-error", role: "alert", "{m}" } }
                }
                div { class: field_class("date_of_birth", &f2),
                    label { class: "field-label", r#for: "d-date-of-birth", "生年月日" }
                    span { class: "field-hint", "8桁の数字（例 19800401）" }
                    input { id: "d-date-of-birth", class: "input", r#type: "text", inputmode: "numeric", autocomplete: "off",
                        placeholder: "19800401", value: "{d.dob}",
                        oninput: move |e| { draft.write().dob = e.value(); clear("date_of_birth"); } }
                    if let Some(n) = dob_note { span { class: "field-note", "{n}" } }
                    if let Some(m) = msg("date_of_birth") { p { class: "field-error", role: "alert", "{m}" } }
                }
                fieldset { class: "{field_class(\"sex\", &f2)} choice-group",
                    legend { class: "field-label", "性別" }
                    div { class: "chips", id: "d-sex",
                        for s in ["男", "女"] {
                            button { key: "{s}", r#type: "button",
                                class: if d.sex == s { "chip big selected" } else { "chip big" },
                                "aria-pressed": if d.sex == s { "true" } else { "false" },
                                onclick: move |_| {
                                    let mut w = draft.write();
                                    w.sex = if w.sex == s { String::new() } else { s.to_owned() };
                                },
                                "{s}"
                            }
                        }
                    }
                }
                div { class: field_class("phone", &f2),
                    label { class: "field-label", r#for: "d-phone", "電話番号" }
                    input { id: "d-phone", class: "input", r#type: "tel", inputmode: "tel", autocomplete: "off", value: "{d.phone}",
                        oninput: move |e| { draft.write().phone = e.value(); clear("phone"); } }
                    if let Some(m) = msg("phone") { p { class: "field-error", role: "alert", "{m}" } }
                }
                if !dups.is_empty() {
                    div { class: "duplicate-hint", role: "status", "data-testid": "duplicate-hint",
                        "すでに受付済みの可能性があります: "
                        for (no, name) in dups.iter() {
                            span { key: "{no}", class: "dup-item", "No.{no} {name}" }
                        }
                        span { class: "dup-note", "（同じ方なら、この受付はやめて一覧の記録を使ってください）" }
                    }
                }
                div { class: field_class("postal_code", &f2),
                    label { class: "field-label", r#for: "d-postal-code", "郵便番号" }
                    input { id: "d-postal-code", class: "input", r#type: "text", inputmode: "numeric", autocomplete: "off",
                        placeholder: "1600023", value: "{d.postal}",
                        oninput: move |e| {
                            let v = e.value();
                            draft.write().postal = v.clone();
                            match PostalCode::parse(&v) {
                                Ok(code) => {
                                    spawn(async move {
                                        let found = super::postal::address_for(&code).await;
                                        // A later keystroke changed the code during the lookup.
                                        if PostalCode::parse(&draft.peek().postal) != Ok(code) {
                                            return;
                                        }
                                        match found {
                                            Ok(found) if found.len() > 1 => {
                                                postal_note.set(String::new());
                                                postal_choices.set(found);
                                            }
                                            Ok(found) => {
                                                postal_choices.set(Vec::new());
                                                let Some(only) = found.first() else { return };
                                                let current = draft.peek().address.clone();
                                                draft.write().address = text_after_choice(only, &current);
                                                postal_note.set(format!("{} を補いました。続けて番地などを入力してください。", only.base()));
                                            }
                                            Err(why) => {
                                                postal_choices.set(Vec::new());
                                                postal_note.set(why.into());
                                            }
                                        }
                                    });
                                }
                                Err(_) => {
                                    postal_note.set(String::new());
                                    postal_choices.set(Vec::new());
                                }
                            }
                        } }
                    if !postal_note().is_empty() { span { class: "field-note", "data-testid": "postal-note", "{postal_note}" } }
                    PostalChoice {
                        choices: postal_choices(),
                        chosen: named_in(&postal_choices.read(), &d.address).map(|m| m.municipality_code.code6().to_owned()),
                        testid: "postal-choice",
                        on_choose: move |m: PostalMunicipality| {
                            let current = draft.peek().address.clone();
                            if !m.named_by(&current) {
                                draft.write().address = text_after_choice(&m, &current);
                            }
                            postal_note.set(format!("{} を補いました。続けて番地などを入力してください。", m.base()));
                        },
                    }
                    if let Some(m) = msg("postal_code") { p { class: "field-error", role: "alert", "{m}" } }
                }
                div { class: field_class("address", &f2),
                    label { class: "field-label", r#for: "d-address", "住所" }
                    input { id: "d-address", class: "input", r#type: "text", autocomplete: "off", value: "{d.address}",
                        oninput: move |e| { draft.write().address = e.value(); clear("address"); } }
                    if let Some(m) = msg("address") { p { class: "field-error", role: "alert", "{m}" } }
                }
            }
            if base.is_some() {
                div { class: "field",
                    label { class: "field-label", r#for: "d-hc", "担当保健所" }
                    select { id: "d-hc", class: "input", value: "{d.hc}", onchange: move |e| draft.write().hc = e.value(),
                        if !centers().iter().any(|(id, _)| *id == d.hc) { option { value: "{d.hc}", "{d.hc}" } }
                        for (id, n) in centers().into_iter() {
                            option { key: "{id}", value: "{id}", selected: id == d.hc, "{n}" }
                        }
                    }
                    if let Some(m) = msg("hc") { p { class: "field-error", role: "alert", "{m}" } }
                }
            }
            fieldset { class: "drive-section",
                legend { "検体採取" }
                fieldset { class: "{field_class(\"method\", &f2)} choice-group",
                    legend { class: "field-label", "検査方法" }
                    div { class: "chips", id: "d-method",
                        for (short, i) in METHOD_CHIPS.iter().copied() {
                            button { key: "{short}", r#type: "button",
                                class: if d.method == TEST_METHODS[i] { "chip big selected" } else { "chip big" },
                                "aria-pressed": if d.method == TEST_METHODS[i] { "true" } else { "false" },
                                title: "{TEST_METHODS[i]}",
                                onclick: move |_| { draft.write().method = TEST_METHODS[i].to_owned(); clear("method"); },
                                "{short}"
                            }
                        }
                    }
                    if let Some(m) = msg("method") { p { class: "field-error", role: "alert", "{m}" } }
                }
                fieldset { class: "{field_class(\"specimen\", &f2)} choice-group",
                    legend { class: "field-label", "検体" }
                    div { class: "chips", id: "d-specimen",
                        for s in SPECIMENS.iter().copied().filter(|s| more_specimens() || COMMON_SPECIMENS.contains(s)) {
                            button { key: "{s}", r#type: "button",
                                class: if d.specimen == s { "chip big selected" } else { "chip big" },
                                "aria-pressed": if d.specimen == s { "true" } else { "false" },
                                onclick: move |_| { draft.write().specimen = s.to_owned(); clear("specimen"); },
                                "{s}"
                            }
                        }
                        if !more_specimens() {
                            button { r#type: "button", class: "chip big outline", onclick: move |_| more_specimens.set(true), "その他の検体…" }
                        }
                    }
                    if let Some(m) = msg("specimen") { p { class: "field-error", role: "alert", "{m}" } }
                }
                div { class: field_class("collected_at", &f2),
                    label { class: "field-label", r#for: "d-collected-at", "採取時刻" }
                    div { class: "time-row",
                        input { id: "d-collected-at", class: "input time", r#type: "time", value: "{d.time}",
                            oninput: move |e| { draft.write().time = e.value(); clear("collected_at"); } }
                        button { r#type: "button", class: "button now", "data-testid": "collected-now",
                            onclick: move |_| {
                                let now = now_ms();
                                let mut w = draft.write();
                                w.time = jst_time(now);
                                w.day = jst_date(now);
                                drop(w);
                                clear("collected_at");
                            },
                            "今"
                        }
                    }
                    if let Some(day) = d.day.filter(|x| *x != today()) { span { class: "field-hint", "採取日 {day}" } }
                    if let Some(m) = msg("collected_at") { p { class: "field-error", role: "alert", "{m}" } }
                }
                div { class: "label-preview",
                    span { class: "field-label", "検体コード" }
                    span { class: "specimen-code", "data-testid": "capture-code", "{display_code(&code)}" }
                    QrCodeSvg { text: format!("{QR_PREFIX}{code}"), label: format!("検体コード {} のQRコード", display_code(&code)) }
                }
            }
            if let Some(m) = msg("form") { p { class: "alert", role: "alert", "{m}" } }
            ErrorAlert { message: error() }
            div { class: "form-actions sticky-actions",
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "やめる" }
                button { r#type: "button", class: "button primary big", "data-testid": "capture-save", disabled: busy(), onclick: save,
                    if busy() { "保存しています…" } else { "保存する" }
                }
            }
        }
    }
}

/// After a capture: the label (code, QR code, collection time; no name) to show or print, and the next step.
#[component]
pub fn LabelView(id: String) -> Element {
    let ctx = use_context::<DriveCtx>();
    let Some(e) = ctx.entry(&id) else {
        return rsx! { p { "記録が見つかりません。" } };
    };
    let code = e.record.specimen.code.clone();
    let shown = display_code(&code);
    let at = e.record.specimen.collected_at;
    let day = jst_date(at)
        .map(|d| d.format("%m/%d").to_string())
        .unwrap_or_default();
    rsx! {
        div { class: "drive-label-view", "data-testid": "label-view",
            div { class: "specimen-label print-label", "data-testid": "specimen-label",
                div { class: "label-text",
                    span { class: "label-code", "data-testid": "label-code", "{shown}" }
                    span { class: "label-meta", "採取 {day} {jst_time(at)}" }
                    span { class: "label-meta", "{super::capture::method_short(&e.record.specimen.method)}・{e.record.specimen.specimen}" }
                }
                QrCodeSvg { text: format!("{QR_PREFIX}{code}"), label: format!("検体コード {shown} のQRコード") }
            }
            div { class: "form-actions no-print",
                button { r#type: "button", class: "button secondary", "data-testid": "print-label", onclick: move |_| api::print_page(), "ラベルを印刷" }
                button { r#type: "button", class: "button primary big", "data-testid": "next-arrival",
                    onclick: move |_| ctx.go(View::Capture(None), None),
                    "次の方を受付する"
                }
                button { r#type: "button", class: "button secondary", onclick: move |_| ctx.go(View::Queue, None), "一覧へ戻る" }
            }
        }
    }
}
