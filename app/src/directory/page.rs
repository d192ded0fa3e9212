//! `/directory`: the list of the prefecture's health centers (cards; each with its edit form) and the CSV tools, or
//! for a health center's administrator their own center's contact form. What was typed stays on any refusal, and
//! each refusal is shown at its field (a CSV's at its row and column).

use dioxus::prelude::*;
use shared::api::directory::{check_contact, CenterEdit, Directory, DirectoryCenter};
use shared::notification::validate::IssueView;

use crate::api;
use crate::components::alert::ErrorAlert;
use crate::components::tel::TelLink;
use crate::notification::records::jst;
use crate::session::RequireSignIn;

#[component]
pub fn DirectoryPage() -> Element {
    rsx! {
        RequireSignIn { DirectoryView {} }
    }
}

#[component]
fn DirectoryView() -> Element {
    // Kept in a signal so that a reload after a save or an import replaces the list in place (the forms' and the
    // import's messages stay on screen).
    let mut dir = use_signal(|| None::<Result<Directory, String>>);
    let load = move || {
        spawn(async move {
            dir.set(Some(api::directory::list().await.map_err(|e| e.message())));
        });
    };
    use_hook(move || {
        load();
    });
    rsx! {
        section { class: "page directory",
            match dir() {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(m)) => rsx! {
                    h1 { "保健所の連絡先" }
                    p { class: "alert", role: "alert", "data-testid": "directory-error", "{m}" }
                },
                Some(Ok(d)) => rsx! { DirectoryBody { dir: d, on_saved: move |_| load() } },
            }
        }
    }
}

#[component]
fn DirectoryBody(dir: Directory, on_saved: EventHandler<()>) -> Element {
    let d = dir;
    let all = d.centers.clone();
    rsx! {
        if d.manages_prefecture {
            h1 { "保健所の一覧（{d.prefecture}）" }
            p { class: "lead", "保健所の名称・住所・電話番号・通知メールアドレスと、担当する市区町村を管理します。" }
        } else {
            h1 { "保健所の連絡先" }
            p { class: "lead", "あなたの保健所の住所・電話番号・通知メールアドレスを管理します。名称と担当する市区町村は都道府県が管理します。" }
        }
        if !d.caveat.is_empty() {
            div { class: "notice directory-caveat", "data-testid": "directory-caveat",
                p { strong { "初期データについて" } }
                p { "{d.caveat}" }
            }
        }
        if d.manages_prefecture {
            CsvTools { on_imported: move |_| on_saved.call(()) }
        }
        ul { class: "directory-list", "data-testid": "directory-list",
            for c in d.centers.clone() {
                CenterCard { key: "{c.id}", center: c, all: all.clone(), manages: d.manages_prefecture, on_saved }
            }
        }
    }
}

#[component]
fn CenterCard(
    center: DirectoryCenter,
    all: Vec<DirectoryCenter>,
    manages: bool,
    on_saved: EventHandler<()>,
) -> Element {
    let c = center;
    let mut editing = use_signal(|| !manages);
    let names: Vec<String> = c.municipalities.iter().map(|m| m.name.clone()).collect();
    rsx! {
        li { class: "directory-item", "data-testid": "directory-item", "data-id": "{c.id}",
            h3 { "{c.name}" }
            dl {
                dt { "ID" } dd { "{c.id}" }
                dt { "住所" }
                dd {
                    if c.address.is_empty() { span { class: "muted", "未登録" } }
                    else {
                        if !c.postal_code.is_empty() { "〒{c.postal_code.get(..3).unwrap_or_default()}-{c.postal_code.get(3..).unwrap_or_default()} " }
                        "{c.address}"
                    }
                }
                dt { "電話" } dd { TelLink { phone: c.phone.clone(), label: "", testid: "directory-tel" } }
                dt { "通知メール" }
                dd {
                    if c.email.is_empty() {
                        span { class: "directory-missing", "data-testid": "directory-no-email", "未登録（移管の通知メールが届きません）" }
                    } else { "{c.email}" }
                }
                if manages {
                    dt { "担当市区町村" }
                    dd { "data-testid": "directory-munis",
                        if names.is_empty() { span { class: "muted", "なし" } } else { "{names.join(\"、\")}" }
                    }
                }
                if let (Some(at), Some(by)) = (c.updated_at, c.updated_by_name.clone()) {
                    dt { "最終更新" } dd { class: "muted", "{jst(at)}・{by}" }
                }
            }
            if editing() {
                CenterForm { center: c.clone(), all, manages,
                    on_saved: move |_| { if manages { editing.set(false); } on_saved.call(()); },
                    on_cancel: move |_| editing.set(false),
                }
            } else {
                button { r#type: "button", class: "button secondary small", "data-testid": "directory-edit",
                    onclick: move |_| editing.set(true), "編集する" }
            }
        }
    }
}

fn issue_for(issues: &[IssueView], field: &str) -> Option<String> {
    let found: Vec<&str> = issues
        .iter()
        .filter(|i| i.field == field)
        .map(|i| i.message.as_str())
        .collect();
    (!found.is_empty()).then(|| found.join(" "))
}

#[component]
fn FieldError(issues: Vec<IssueView>, #[props(into)] field: String) -> Element {
    rsx! {
        if let Some(m) = issue_for(&issues, &field) {
            p { class: "field-error", role: "alert", "data-testid": "error-{field}", "{m}" }
        }
    }
}

#[component]
fn CenterForm(
    center: DirectoryCenter,
    all: Vec<DirectoryCenter>,
    manages: bool,
    on_saved: EventHandler<()>,
    on_cancel: EventHandler<()>,
) -> Element {
    let c = center;
    let id = c.id.clone();
    let mut name = use_signal(|| c.name.clone());
    let mut postal = use_signal(|| c.postal_code.clone());
    let mut address = use_signal(|| c.address.clone());
    let mut phone = use_signal(|| c.phone.clone());
    let mut email = use_signal(|| c.email.clone());
    let mut munis = use_signal(|| {
        c.municipalities
            .iter()
            .map(|m| m.code.clone())
            .collect::<Vec<_>>()
    });
    let mut issues = use_signal(Vec::<IssueView>::new);
    let mut error = use_signal(|| None::<String>);
    let mut saved = use_signal(|| false);
    let mut busy = use_signal(|| false);
    // Municipalities of the prefecture's other centers: the ones that may move here.
    let others: Vec<(String, String)> = all
        .iter()
        .filter(|o| o.id != c.id)
        .flat_map(|o| {
            o.municipalities
                .iter()
                .map(move |m| (m.code.clone(), format!("{}（{}から）", m.name, o.name)))
        })
        .filter(|(code, _)| !munis().contains(code))
        .collect();
    let label_of = {
        let all = all.clone();
        move |code: &str| {
            all.iter()
                .flat_map(|o| o.municipalities.iter())
                .find(|m| m.code == code)
                .map_or(code.to_owned(), |m| m.name.clone())
        }
    };
    let mut to_add = use_signal(String::new);
    let edit = move || CenterEdit {
        name: manages.then(|| name.cloned()),
        postal_code: postal(),
        address: address(),
        phone: phone(),
        email: email(),
        municipalities: manages.then(|| munis.cloned()),
    };
    let fid_name = format!("dir-{}-name", c.id);
    let fid_postal = format!("dir-{}-postal", c.id);
    let fid_address = format!("dir-{}-address", c.id);
    let fid_phone = format!("dir-{}-phone", c.id);
    let fid_email = format!("dir-{}-email", c.id);
    let fid_add = format!("dir-{}-add", c.id);
    rsx! {
        form { class: "directory-form", "data-testid": "directory-form", novalidate: true,
            onsubmit: move |e| {
                e.prevent_default();
                if busy() { return; }
                saved.set(false);
                let body = edit();
                let found = check_contact(&body, "", None);
                if !found.is_empty() {
                    issues.set(found);
                    error.set(Some("入力内容を確認してください。".into()));
                    return;
                }
                busy.set(true);
                let id = id.clone();
                spawn(async move {
                    match api::directory::edit(&id, &body).await {
                        Ok(_) => {
                            issues.set(Vec::new());
                            error.set(None);
                            saved.set(true);
                            on_saved.call(());
                        }
                        Err(e) => {
                            issues.set(e.issues());
                            error.set(Some(e.message()));
                        }
                    }
                    busy.set(false);
                });
            },
            if manages {
                label { class: "field-label", r#for: "{fid_name}", "保健所名" }
                input { id: "{fid_name}", class: "input", "data-testid": "dir-name", value: "{name}", oninput: move |e| name.set(e.value()) }
                FieldError { issues: issues(), field: "name" }
            }
            label { class: "field-label", r#for: "{fid_postal}", "郵便番号" }
            input { id: "{fid_postal}", class: "input", "data-testid": "dir-postal", inputmode: "numeric", autocomplete: "postal-code",
                value: "{postal}", oninput: move |e| postal.set(e.value()) }
            FieldError { issues: issues(), field: "postal_code" }
            label { class: "field-label", r#for: "{fid_address}", "住所" }
            input { id: "{fid_address}", class: "input", "data-testid": "dir-address", value: "{address}", oninput: move |e| address.set(e.value()) }
            FieldError { issues: issues(), field: "address" }
            label { class: "field-label", r#for: "{fid_phone}", "電話番号" }
            input { id: "{fid_phone}", class: "input", "data-testid": "dir-phone", r#type: "tel", inputmode: "tel", placeholder: "03-1234-5678",
                value: "{phone}", oninput: move |e| phone.set(e.value()) }
            FieldError { issues: issues(), field: "phone" }
            label { class: "field-label", r#for: "{fid_email}", "通知メールアドレス" }
            input { id: "{fid_email}", class: "input", "data-testid": "dir-email", r#type: "email", inputmode: "email",
                value: "{email}", oninput: move |e| email.set(e.value()) }
            FieldError { issues: issues(), field: "email" }
            if manages {
                fieldset { class: "directory-fieldset",
                    legend { class: "field-label", "担当する市区町村" }
                    ul { class: "directory-munis", "data-testid": "dir-munis",
                        for code in munis() {
                            li { key: "{code}",
                                "{label_of(&code)} "
                                button { r#type: "button", class: "button secondary small", "aria-label": "{label_of(&code)}を外す",
                                    onclick: {
                                        let code = code.clone();
                                        move |_| munis.with_mut(|m| m.retain(|x| *x != code))
                                    },
                                    "外す"
                                }
                            }
                        }
                    }
                    if !others.is_empty() {
                        label { class: "field-label", r#for: "{fid_add}", "他の保健所から移す" }
                        select { id: "{fid_add}", class: "input", "data-testid": "dir-add-muni", value: "{to_add}",
                            onchange: move |e| {
                                let v = e.value();
                                if !v.is_empty() { munis.with_mut(|m| m.push(v)); }
                                to_add.set(String::new());
                            },
                            option { value: "", "選択してください" }
                            for (code, label) in others { option { key: "{code}", value: "{code}", "{label}" } }
                        }
                    }
                    FieldError { issues: issues(), field: "municipalities" }
                }
            }
            ErrorAlert { message: error() }
            if saved() { p { class: "notice", role: "status", "data-testid": "dir-saved", "保存しました。" } }
            div { class: "form-actions",
                button { r#type: "submit", class: "button primary", "data-testid": "dir-save", disabled: busy(),
                    if busy() { "保存しています…" } else { "保存する" } }
                if manages {
                    button { r#type: "button", class: "button secondary", onclick: move |_| on_cancel.call(()), "閉じる" }
                }
            }
        }
    }
}

/// CSV export and import of the prefecture's directory: the import is taken whole or refused whole, with every
/// row's and column's message.
#[component]
fn CsvTools(on_imported: EventHandler<()>) -> Element {
    let mut text = use_signal(|| None::<(String, String)>);
    let mut row_errors = use_signal(Vec::<IssueView>::new);
    let mut message = use_signal(|| None::<(bool, String)>);
    let mut busy = use_signal(|| false);
    rsx! {
        div { class: "csv-tools", "data-testid": "csv-tools",
            h2 { "CSVで一括編集" }
            p { class: "muted", "書き出したCSV（UTF-8・BOM付き）を表計算ソフトで直して取り込めます。1行でも誤りがあれば、何も保存せずに誤りをすべて表示します。" }
            div { class: "form-actions",
                button { r#type: "button", class: "button secondary", "data-testid": "csv-export", disabled: busy(),
                    onclick: move |_| {
                        busy.set(true);
                        spawn(async move {
                            message.set(Some(match api::directory::export("hokenjo.csv").await {
                                Ok(d) if d.complete => (true, format!("「{}」を保存しました。", d.file_name)),
                                Ok(_) => (false, "ダウンロードが途中で切れたため、保存していません。".into()),
                                Err(e) => (false, e.message()),
                            }));
                            busy.set(false);
                        });
                    },
                    "CSVを書き出す"
                }
            }
            label { class: "field-label", r#for: "csv-file", "取り込むCSVファイル" }
            input { id: "csv-file", class: "input", r#type: "file", accept: ".csv,text/csv", "data-testid": "csv-file",
                onchange: move |e| {
                    row_errors.set(Vec::new());
                    message.set(None);
                    if let Some(f) = e.files().into_iter().next() {
                        spawn(async move {
                            match f.read_string().await {
                                Ok(s) => text.set(Some((f.name(), s))),
                                Err(_) => message.set(Some((false, "ファイルを読み込めませんでした。UTF-8のCSVを選んでください。".into()))),
                            }
                        });
                    }
                },
            }
            div { class: "form-actions",
                button { r#type: "button", class: "button primary", "data-testid": "csv-import", disabled: busy() || text().is_none(),
                    onclick: move |_| {
                        let Some((_, csv)) = text() else { return; };
                        busy.set(true);
                        spawn(async move {
                            match api::directory::import(&csv).await {
                                Ok(r) => {
                                    row_errors.set(Vec::new());
                                    message.set(Some((true, if r.changed == 0 {
                                        format!("{}行を確認しました。変更はありませんでした。", r.rows)
                                    } else {
                                        format!("{}行を確認し、{}か所の保健所を更新しました。", r.rows, r.changed)
                                    })));
                                    on_imported.call(());
                                }
                                Err(e) => {
                                    row_errors.set(e.issues());
                                    message.set(Some((false, format!("{} 何も保存していません。", e.message()))));
                                }
                            }
                            busy.set(false);
                        });
                    },
                    "取り込む"
                }
            }
            if let Some((ok, m)) = message() {
                p { class: if ok { "notice" } else { "alert" }, role: if ok { "status" } else { "alert" }, "data-testid": "csv-message", "{m}" }
            }
            if !row_errors().is_empty() {
                ul { class: "row-errors", "data-testid": "import-errors",
                    for (i, e) in row_errors().into_iter().enumerate() { li { key: "{i}", "{e.message}" } }
                }
            }
        }
    }
}
