//! The sign-in screen: the slip's スマホ入力ID (read from its QR code or typed) and the birth date.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::api::observation::ObserveSignIn;
use shared::case::smartphone_id_ok;

use super::ObsCtx;
use crate::api;

/// Full-width digits become ASCII; spaces and hyphens (as printed on the slip) go. Returns the digits and whether
/// anything else was typed.
pub fn normalize_id(text: &str) -> (String, bool) {
    let mut out = String::new();
    let mut other = false;
    for c in text.chars() {
        match c {
            '0'..='9' => out.push(c),
            '０'..='９' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            ' ' | '　' | '-' | '－' | 'ー' | '‐' | '−' => {}
            _ => other = true,
        }
    }
    (out, other)
}

fn number(text: &str) -> Option<u32> {
    let (digits, other) = normalize_id(text);
    if other || digits.is_empty() || digits.len() > 4 {
        return None;
    }
    digits.parse().ok()
}

/// Checks what was typed before it goes to the server (a mistyped ID does not use up the 5 attempts).
fn check(sid: &str, y: &str, m: &str, d: &str) -> Result<(String, String), String> {
    let (id, other) = normalize_id(sid);
    if id.is_empty() && !other {
        return Err("スマホ入力IDを入力してください。用紙に書かれた10桁の数字です。".into());
    }
    if other {
        return Err("スマホ入力IDは数字だけで入力してください。".into());
    }
    if id.len() != 10 {
        return Err(format!(
            "スマホ入力IDは10桁の数字です（入力されたのは{}桁）。",
            id.len()
        ));
    }
    if !smartphone_id_ok(&id) {
        return Err("スマホ入力IDに誤りがあります。用紙の番号をもう一度ご確認ください。".into());
    }
    if y.trim().is_empty() || m.trim().is_empty() || d.trim().is_empty() {
        return Err("生年月日の年・月・日をすべて入力してください。".into());
    }
    let (Some(y), Some(m), Some(d)) = (number(y), number(m), number(d)) else {
        return Err("生年月日は数字で入力してください（例：1960年4月1日）。".into());
    };
    if !(1900..=2100).contains(&y) {
        return Err("生まれた年は西暦4桁で入力してください（例：1960）。".into());
    }
    let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) else {
        return Err(format!("{y}年{m}月{d}日という日付はありません。"));
    };
    if date.to_string() > super::today() {
        return Err("生年月日が未来の日付になっています。".into());
    }
    Ok((id, date.to_string()))
}

#[component]
pub fn SignInScreen() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut sid = ctx.sid;
    let mut year = use_signal(String::new);
    let mut month = use_signal(String::new);
    let mut day = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let queued = ctx.queue.read().len();

    let submit = move |e: FormEvent| {
        e.prevent_default();
        if busy() {
            return;
        }
        let (id, dob) = match check(&sid(), &year(), &month(), &day()) {
            Ok(v) => v,
            Err(m) => {
                error.set(Some(m));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        ctx.spawn(async move {
            let body = ObserveSignIn {
                smartphone_id: id,
                date_of_birth: dob,
            };
            let out = api::observe::sign_in(&body).await;
            busy.set(false);
            match out {
                Ok(me) => ctx.signed_in(me),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };

    rsx! {
        section { class: "obs-screen obs-signin", "data-testid": "obs-signin",
            h1 { class: "obs-title", "健康観察の報告" }
            p { class: "obs-lead",
                "保健所からお渡しした用紙（健康観察のご案内）に書かれた「スマホ入力ID」と、生年月日を入力してください。毎日、朝と夕方に体温と体調を保健所へ報告していただきます。"
            }
            if let Some(n) = ctx.signin_note.read().clone() {
                p { class: "obs-note", role: "status", "data-testid": "obs-signin-note", "{n}" }
            }
            if queued > 0 {
                p { class: "obs-note", "この端末に未送信の報告が {queued}件あります。はじめると送信します。" }
            }
            form { class: "obs-form", novalidate: true, onsubmit: submit,
                div { class: "obs-field",
                    label { r#for: "obs-sid", "スマホ入力ID（10桁の数字）" }
                    input {
                        id: "obs-sid",
                        class: "obs-input obs-id",
                        r#type: "text",
                        inputmode: "numeric",
                        autocomplete: "off",
                        maxlength: "20",
                        value: "{sid}",
                        "data-testid": "obs-sid",
                        oninput: move |e| sid.set(e.value()),
                    }
                }
                fieldset { class: "obs-field obs-dob",
                    legend { "生年月日（西暦）" }
                    div { class: "obs-dob-row",
                        span { class: "obs-dob-part",
                            input {
                                id: "obs-dob-y",
                                class: "obs-input obs-year",
                                r#type: "text",
                                inputmode: "numeric",
                                autocomplete: "off",
                                maxlength: "4",
                                placeholder: "1960",
                                value: "{year}",
                                "data-testid": "obs-dob-y",
                                oninput: move |e| year.set(e.value()),
                            }
                            label { r#for: "obs-dob-y", "年" }
                        }
                        span { class: "obs-dob-part",
                            input {
                                id: "obs-dob-m",
                                class: "obs-input obs-md",
                                r#type: "text",
                                inputmode: "numeric",
                                autocomplete: "off",
                                maxlength: "2",
                                value: "{month}",
                                "data-testid": "obs-dob-m",
                                oninput: move |e| month.set(e.value()),
                            }
                            label { r#for: "obs-dob-m", "月" }
                        }
                        span { class: "obs-dob-part",
                            input {
                                id: "obs-dob-d",
                                class: "obs-input obs-md",
                                r#type: "text",
                                inputmode: "numeric",
                                autocomplete: "off",
                                maxlength: "2",
                                value: "{day}",
                                "data-testid": "obs-dob-d",
                                oninput: move |e| day.set(e.value()),
                            }
                            label { r#for: "obs-dob-d", "日" }
                        }
                    }
                }
                if let Some(m) = error() {
                    p { class: "obs-error", role: "alert", "data-testid": "obs-signin-error", "{m}" }
                }
                button {
                    class: "obs-btn obs-primary",
                    r#type: "submit",
                    disabled: busy(),
                    "data-testid": "obs-start",
                    if busy() { "確認しています…" } else { "はじめる" }
                }
            }
            super::passkey::PasskeySignIn {}
            p { class: "obs-small",
                "用紙のQRコードから開いた場合、スマホ入力IDは入力済みです。同居のご家族の分も保健所が登録していれば、ここから一緒に報告できます。"
            }
        }
    }
}
