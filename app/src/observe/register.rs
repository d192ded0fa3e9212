//! `/register`: the public self-registration of positives (陽性者登録, no account), in the light patient entry.
//!
//! One form on a phone: the consent text (versioned, `shared::api::self_registration::CONSENT_TEXT`), the person's
//! details, the address from the postal code, the day and kind of the positive result. The checks are the edge's
//! own (`shared::api::self_registration::check`), run as the person types; each field's message shows once the field
//! was left or a send was tried. What was typed stays in memory only (nothing on the device); offline the page says
//! it cannot send and keeps it. The answer is a receipt number and nothing else.

use std::collections::BTreeSet;

use dioxus::prelude::*;
use shared::api::self_registration::{
    check, SelfRegistration, CONSENT_TEXT, CONSENT_VERSION, RESULT_KINDS, SEXES,
};
use shared::notification::postal::{PostalCode, PostalMunicipality};
use shared::notification::validate::IssueView;

use crate::api::{self, ApiFailure};
use crate::components::postal_choice::{lookup, text_after_choice, PostalChoice};
use crate::net::ONLINE;

fn today() -> chrono::NaiveDate {
    shared::time::today_jst(js_sys::Date::now() as i64)
}

/// The page (header and the form or the receipt).
#[component]
pub fn Register() -> Element {
    let receipt = use_signal(|| None::<String>);
    rsx! {
        div { class: "obs-page", "data-testid": "register-page",
            header { class: "obs-header",
                span { class: "obs-brand", "陽性者登録" }
                span { class: "obs-hc", "健康フォローアップセンター" }
                if !ONLINE() {
                    span { class: "obs-offline", role: "status", "data-testid": "reg-offline", "電波なし" }
                }
            }
            main { id: "content", class: "obs-main",
                match receipt() {
                    Some(r) => rsx! { Done { receipt: r } },
                    None => rsx! { Form { receipt } },
                }
            }
        }
    }
}

#[component]
fn Done(receipt: String) -> Element {
    rsx! {
        section { class: "obs-screen", "data-testid": "reg-done",
            h1 { class: "obs-title obs-ok", "登録を受け付けました" }
            p { class: "obs-lead", "受付番号" }
            p { class: "reg-receipt", "data-testid": "reg-receipt", "{receipt}" }
            p { class: "obs-note", "受付番号を控えてください（画面を撮影するか、メモしてください）。お問い合わせのときにお伝えください。" }
            h2 { class: "obs-subtitle", "このあとの流れ" }
            ol { class: "reg-steps",
                li { "健康フォローアップセンターまたは保健所が内容を確認し、登録します。確認のため、入力された電話番号にお電話することがあります。" }
                li { "登録が済むと、体調を毎日入力するための「スマホ入力ID」をお知らせします。" }
                li { "息苦しい、意識がおかしい、顔色や唇の色が悪いなどの場合は、登録の確認を待たずにすぐ医療機関または119番に連絡してください。" }
            }
        }
    }
}

/// A field's message, shown once the field was left or a send was tried.
fn message_of(issues: &[IssueView], field: &str) -> Option<String> {
    issues
        .iter()
        .find(|i| i.field == field)
        .map(|i| i.message.clone())
}

#[component]
fn Form(receipt: Signal<Option<String>>) -> Element {
    let mut form = use_signal(|| SelfRegistration {
        client_key: api::random_key(),
        ..SelfRegistration::default()
    });
    let mut touched = use_signal(BTreeSet::<&'static str>::new);
    let mut tried = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut note = use_signal(|| None::<String>);
    let mut server = use_signal(Vec::<IssueView>::new);
    let mut postal_note = use_signal(|| None::<&'static str>);
    let mut choices = use_signal(Vec::<PostalMunicipality>::new);

    let local = check(&form.read(), today());
    // What the edge said about a field stands until that field changes (it is removed then).
    let mut shown: Vec<IssueView> = server.read().clone();
    shown.extend(local.iter().cloned());
    let visible = move |field: &'static str| -> Option<String> {
        if tried() || touched.read().contains(field) {
            message_of(&shown, field)
        } else {
            None
        }
    };

    let mut set = move |field: &'static str, value: String| {
        server.write().retain(|i| i.field != field);
        let mut f = form.write();
        match field {
            "name" => f.name = value,
            "furigana" => f.furigana = value,
            "date_of_birth" => f.date_of_birth = value,
            "sex" => f.sex = value,
            "phone" => f.phone = value,
            "address" => f.address = value,
            "result_kind" => f.result_kind = value,
            "result_date" => f.result_date = value,
            "clinic_name" => f.clinic_name = value,
            _ => {}
        }
    };
    let mut leave = move |field: &'static str| {
        touched.write().insert(field);
    };

    let choose = move |m: PostalMunicipality| {
        server.write().retain(|i| i.field != "municipality_code");
        let mut f = form.write();
        f.municipality_code = m.municipality_code.code6().to_owned();
        f.address = text_after_choice(&m, &f.address);
    };
    let on_postal = move |e: FormEvent| {
        let v = e.value();
        server
            .write()
            .retain(|i| i.field != "postal_code" && i.field != "municipality_code");
        {
            let mut f = form.write();
            f.postal_code = v.clone();
            f.municipality_code.clear();
        }
        choices.set(Vec::new());
        postal_note.set(None);
        if let Ok(code) = PostalCode::parse(&v) {
            spawn(async move {
                match lookup(&code).await {
                    Ok(found) => {
                        if found.len() == 1 {
                            if let Some(m) = found.first() {
                                let mut f = form.write();
                                f.municipality_code = m.municipality_code.code6().to_owned();
                                f.address = text_after_choice(m, &f.address);
                            }
                        }
                        choices.set(found);
                    }
                    Err(m) => postal_note.set(Some(m)),
                }
            });
        }
    };

    let submit = move |e: FormEvent| {
        e.prevent_default();
        if busy() {
            return;
        }
        tried.set(true);
        note.set(None);
        let body = form.read().clone();
        if !check(&body, today()).is_empty() {
            note.set(Some(
                "入力内容を確認してください（赤い表示の項目）。".into(),
            ));
            api::focus_after("reg-note");
            return;
        }
        if !ONLINE() {
            note.set(Some(OFFLINE.into()));
            return;
        }
        busy.set(true);
        spawn(async move {
            let out = api::self_registrations::submit(&body).await;
            busy.set(false);
            match out {
                Ok(r) => {
                    api::scroll_to_top();
                    receipt.set(Some(r.receipt));
                }
                Err(ApiFailure::Network) => note.set(Some(OFFLINE.into())),
                Err(e) => {
                    let issues = e.issues();
                    if issues.is_empty() {
                        note.set(Some(e.message()));
                    } else {
                        note.set(Some(
                            "入力内容を確認してください（赤い表示の項目）。".into(),
                        ));
                        server.set(issues);
                    }
                }
            }
        });
    };

    let f = form.read().clone();
    let consent = f.consent_version == CONSENT_VERSION;
    let clinic = f.result_kind == "clinic_diagnosis";
    let chosen = Some(f.municipality_code.clone()).filter(|c| !c.is_empty());
    rsx! {
        section { class: "obs-screen reg-screen", "data-testid": "reg-form",
            h1 { class: "obs-title", "新型コロナウイルス 陽性者の登録" }
            p { class: "obs-lead", "発生届の対象とならなかった方（65歳未満で、入院や治療薬の必要がない方など）が、療養中の支援を受けるための登録です。" }
            section { class: "reg-consent", "aria-labelledby": "reg-consent-title", "data-testid": "reg-consent",
                h2 { id: "reg-consent-title", class: "obs-subtitle", "個人情報の取り扱い" }
                for (i, p) in CONSENT_TEXT.iter().enumerate() {
                    p { key: "{i}", class: "obs-small", {*p} }
                }
                p { class: "obs-small muted", "（同意事項 第{CONSENT_VERSION}版）" }
                label { class: "reg-check",
                    input { r#type: "checkbox", checked: consent, "data-testid": "reg-consent-check",
                        "aria-invalid": visible("consent_version").is_some(),
                        onchange: move |e| {
                            server.write().retain(|i| i.field != "consent_version");
                            form.write().consent_version = if e.checked() { CONSENT_VERSION.into() } else { String::new() };
                        },
                    }
                    span { "上記に同意して登録します" }
                }
                FieldError { field: "consent_version", message: visible("consent_version") }
            }
            form { class: "obs-form", novalidate: true, onsubmit: submit,
                for (field, label, kind, auto, value) in [
                    ("name", "氏名", "text", "name", f.name.clone()),
                    ("furigana", "フリガナ（カタカナ）", "text", "off", f.furigana.clone()),
                    ("date_of_birth", "生年月日", "date", "bday", f.date_of_birth.clone()),
                ] {
                    TextField { key: "{field}", field, label, value, kind, autocomplete: auto, message: visible(field),
                        on_input: move |v| set(field, v), on_leave: move |_| leave(field) }
                }
                fieldset { class: "obs-field",
                    legend { "性別" }
                    div { class: "reg-pair",
                        for s in SEXES.iter().copied() {
                            label { key: "{s}", class: if f.sex == s { "reg-option selected" } else { "reg-option" },
                                input { r#type: "radio", name: "reg-sex", value: s, checked: f.sex == s,
                                    "data-testid": "reg-sex-{s}",
                                    onchange: move |_| { set("sex", s.to_owned()); leave("sex"); } }
                                span { {s} }
                            }
                        }
                    }
                    FieldError { field: "sex", message: visible("sex") }
                }
                TextField { field: "phone", label: "電話番号（日中つながる番号）", value: f.phone.clone(), kind: "tel", autocomplete: "tel",
                    message: visible("phone"), on_input: move |v| set("phone", v), on_leave: move |_| leave("phone") }
                div { class: "obs-field",
                    label { r#for: "reg-postal_code", "郵便番号（7桁）" }
                    input { id: "reg-postal_code", class: "obs-input reg-postal", r#type: "text", inputmode: "numeric",
                        autocomplete: "postal-code", maxlength: "10", value: "{f.postal_code}", "data-testid": "reg-postal_code",
                        "aria-invalid": visible("postal_code").is_some(),
                        oninput: on_postal, onblur: move |_| leave("postal_code") }
                    if let Some(n) = postal_note() {
                        p { class: "obs-small", role: "status", {n} }
                    }
                    PostalChoice { choices: choices(), chosen, testid: "reg-postal-choice", on_choose: choose }
                    FieldError { field: "postal_code", message: visible("postal_code") }
                    FieldError { field: "municipality_code", message: visible("municipality_code") }
                }
                TextField { field: "address", label: "住所（番地・建物名まで）", value: f.address.clone(), kind: "text", autocomplete: "street-address",
                    message: visible("address"), on_input: move |v| set("address", v), on_leave: move |_| leave("address") }
                fieldset { class: "obs-field",
                    legend { "陽性となった検査" }
                    div { class: "reg-kinds",
                        for (k, label) in RESULT_KINDS.iter().copied() {
                            label { key: "{k}", class: if f.result_kind == k { "reg-option selected" } else { "reg-option" },
                                input { r#type: "radio", name: "reg-kind", value: k, checked: f.result_kind == k,
                                    "data-testid": "reg-kind-{k}",
                                    onchange: move |_| { set("result_kind", k.to_owned()); leave("result_kind"); } }
                                span { {label} }
                            }
                        }
                    }
                    FieldError { field: "result_kind", message: visible("result_kind") }
                }
                for (field, label, kind) in [("clinic_name", "診断した医療機関の名前", "text"), ("result_date", "陽性となった日（診断日・検査日）", "date")] {
                    if field != "clinic_name" || clinic {
                        TextField { key: "{field}", field, label, value: if field == "clinic_name" { f.clinic_name.clone() } else { f.result_date.clone() },
                            kind, autocomplete: "off", message: visible(field),
                            on_input: move |v| set(field, v), on_leave: move |_| leave(field) }
                    }
                }
                if let Some(n) = note() {
                    p { id: "reg-note", class: "obs-error", role: "alert", tabindex: "-1", "data-testid": "reg-note", "{n}" }
                }
                button { r#type: "submit", class: "obs-btn obs-primary obs-send", disabled: busy(), "data-testid": "reg-submit",
                    if busy() { "送信中…" } else { "送信する" }
                }
                p { class: "obs-small", "送信した内容はこの端末には保存されません。" }
            }
        }
    }
}

const OFFLINE: &str = "電波がないため送信できません。入力した内容はこの画面に残っています。電波のある場所で、もう一度「送信する」を押してください（画面を閉じると消えます）。";

#[component]
fn FieldError(field: &'static str, message: Option<String>) -> Element {
    rsx! {
        if let Some(m) = message {
            p { class: "reg-error", id: "reg-{field}-error", "data-testid": "reg-error-{field}", "{m}" }
        }
    }
}

#[component]
fn TextField(
    field: &'static str,
    label: &'static str,
    value: String,
    kind: &'static str,
    autocomplete: &'static str,
    message: Option<String>,
    on_input: EventHandler<String>,
    on_leave: EventHandler<()>,
) -> Element {
    let invalid = message.is_some();
    rsx! {
        div { class: "obs-field",
            label { r#for: "reg-{field}", {label} }
            input { id: "reg-{field}", class: "obs-input", r#type: kind, autocomplete, value: "{value}",
                "data-testid": "reg-{field}", "aria-invalid": invalid,
                "aria-describedby": if invalid { "reg-{field}-error" } else { "" },
                oninput: move |e| on_input.call(e.value()),
                onblur: move |_| on_leave.call(()) }
            FieldError { field, message }
        }
    }
}
