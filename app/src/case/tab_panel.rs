//! One editable tab of the record (ID管理, 基礎情報, 検査, 居所, 医療): its read view, and for those who may edit it
//! 編集 → 確認 → 保存 with the version the edit began from. A save that lost to someone else's shows who changed
//! what and keeps the typed values; nothing is overwritten without the user seeing it.

use dioxus::prelude::*;
use serde_json::{Map, Value};
use shared::api::cases::{EditConflict, TabUpdate};
use shared::case::tabs::{Field, Kind, Tab};
use shared::error::ErrorCode;

use super::tab_form::{Fields, FindingsSummary, ReadView, TabForm};
use super::{field_id, CaseCtx, ConflictNotice};
use crate::api::{self, ApiFailure};
use crate::components::alert::ErrorAlert;

#[derive(Clone, PartialEq)]
enum Stage {
    Read,
    Edit,
    Confirm(Value),
}

/// Stored ISO dates shown as typed (20240501), like every other date input of the app.
fn for_editing(fields: &[Field], data: &Value) -> Value {
    let Some(obj) = data.as_object() else {
        return Value::Object(Map::new());
    };
    let mut out = Map::new();
    for f in fields {
        let Some(v) = obj.get(f.key) else { continue };
        let v = match (f.kind, v) {
            (Kind::Date, Value::String(s)) => Value::String(s.replace('-', "")),
            (Kind::List(items), Value::Array(rows)) => {
                Value::Array(rows.iter().map(|r| for_editing(items, r)).collect())
            }
            (_, v) => v.clone(),
        };
        out.insert(f.key.to_owned(), v);
    }
    Value::Object(out)
}

/// Three-way merge by field: `mine` where the user changed it from `base`, else `theirs`. Also names the fields
/// both changed, differently.
fn merge(
    fields: &[Field],
    base: &Value,
    mine: &Value,
    theirs: &Value,
) -> (Value, Vec<&'static str>) {
    let mut out = Map::new();
    let mut clashes = Vec::new();
    let get = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    for f in fields {
        let (b, m, t) = (get(base, f.key), get(mine, f.key), get(theirs, f.key));
        let v = if m == b {
            t
        } else {
            if t != b && t != m {
                clashes.push(f.label);
            }
            m
        };
        if !v.is_null() {
            out.insert(f.key.to_owned(), v);
        }
    }
    (Value::Object(out), clashes)
}

/// `add_row`: open the form at once with a new row of the tab's first list (「検査を登録する」 after 4.5's 登録).
#[component]
pub fn TabPanel(tab: Tab, add_row: bool) -> Element {
    let ctx = use_context::<CaseCtx>();
    let form = TabForm::provide(|| Value::Object(Map::new()));
    let mut stage = use_signal(|| Stage::Read);
    let mut base_version = use_signal(|| 0i64);
    let mut conflict = use_signal(|| None::<EditConflict>);
    let mut reloaded = use_signal(|| false);
    // The tab as it was when the edit began (as the form holds it): what tells the user's changes from others'.
    let mut base = use_signal(|| Value::Null);
    // Fields both the user and the other editor changed (the user's value is kept).
    let mut both = use_signal(Vec::<&'static str>::new);
    let mut saved = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let name = tab.as_str();
    let Some(rec) = ctx.record.read().clone() else {
        return rsx! {};
    };
    let stored = rec.tabs.get(name).cloned().unwrap_or(Value::Null);

    let begin = {
        let stored = stored.clone();
        move |with_row: bool| {
            let mut state = form.state;
            let mut v = for_editing(tab.fields(), &stored);
            if with_row {
                if let Some(f) = tab
                    .fields()
                    .iter()
                    .find(|f| matches!(f.kind, Kind::List(_)))
                {
                    let n = v.get(f.key).and_then(Value::as_array).map_or(0, Vec::len);
                    super::put(&mut v, &format!("{}.{n}", f.key), new_test_row(f.key));
                }
            }
            base.set(for_editing(tab.fields(), &stored));
            state.set(v);
            let mut issues = form.issues;
            issues.set(Vec::new());
            base_version.set(ctx.version());
            conflict.set(None);
            reloaded.set(false);
            saved.set(false);
            error.set(None);
            stage.set(Stage::Edit);
        }
    };
    let mut begin_once = begin.clone();
    use_hook(move || {
        if add_row && rec.can_edit {
            begin_once(true);
        }
    });

    let id = rec.id.clone();
    let save = move |data: Value| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        let id = id.clone();
        let body = TabUpdate {
            version: base_version(),
            data: data.clone(),
        };
        spawn(async move {
            let r = api::cases::save_tab(&id, name, &body).await;
            busy.set(false);
            let mut ctx = ctx;
            match r {
                Ok(rec) => {
                    ctx.record.set(Some(rec));
                    stage.set(Stage::Read);
                    conflict.set(None);
                    saved.set(true);
                    api::focus_by_id(&format!("panel-{name}"));
                }
                Err(e) if e.code() == Some(ErrorCode::EditConflict) => {
                    conflict.set(e.conflict());
                    if e.conflict().is_none() {
                        error.set(Some(e.message()));
                    }
                }
                Err(e) if e.code() == Some(ErrorCode::ValidationFailed) && !e.issues().is_empty() => {
                    let first = e.issues().first().map(|i| field_id(&i.field));
                    let mut issues = form.issues;
                    issues.set(e.issues());
                    stage.set(Stage::Edit);
                    if let Some(f) = first {
                        api::focus_by_id(&f);
                    }
                }
                Err(ApiFailure::Network) => error.set(Some(
                    "保存できませんでした。通信状態を確認して、もう一度「保存」を押してください（入力内容は残っています）。".into(),
                )),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };

    // The latest record, merged field by field: what the user changed stays theirs, the rest takes the latest.
    let reload = {
        let id = rec.id.clone();
        move |_| {
            let id = id.clone();
            spawn(async move {
                ctx.reload(id).await;
                let Some(latest) = ctx.record.peek().clone() else {
                    return;
                };
                let theirs =
                    for_editing(tab.fields(), latest.tabs.get(name).unwrap_or(&Value::Null));
                let (merged, clashes) =
                    merge(tab.fields(), &base.peek(), &form.state.peek(), &theirs);
                let mut state = form.state;
                state.set(merged);
                base.set(theirs);
                both.set(clashes);
                base_version.set(latest.version);
                conflict.set(None);
                reloaded.set(true);
                match form.check(tab) {
                    Some(data) => stage.set(Stage::Confirm(data)),
                    None => stage.set(Stage::Edit),
                }
            });
        }
    };

    let fields = tab.fields();
    let clash_text = both().join("、");
    rsx! {
        div { class: "tab-body",
            match stage() {
                Stage::Read => rsx! {
                    if saved() { p { class: "saved", role: "status", "data-testid": "saved-{name}", "保存しました。" } }
                    ReadView { fields, data: stored.clone(), testid: "read-{name}" }
                    if rec.can_edit {
                        div { class: "form-actions",
                            button { r#type: "button", class: "button primary", id: "edit-{name}", "data-testid": "edit-{name}",
                                onclick: {
                                    let mut begin = begin.clone();
                                    move |_| begin(false)
                                },
                                "編集"
                            }
                        }
                    }
                },
                Stage::Edit => rsx! {
                    div { class: "tab-form", "data-testid": "form-{name}",
                        h3 { class: "tab-form-title", "{tab.label()}を編集" }
                        FindingsSummary {}
                        Fields { fields, prefix: String::new() }
                        div { class: "form-actions sticky-actions",
                            button { r#type: "button", class: "button secondary", "data-testid": "cancel-{name}",
                                onclick: move |_| { stage.set(Stage::Read); conflict.set(None); },
                                "キャンセル"
                            }
                            button { r#type: "button", class: "button primary", "data-testid": "confirm-{name}",
                                onclick: move |_| {
                                    if let Some(data) = form.check(tab) {
                                        stage.set(Stage::Confirm(data));
                                        api::scroll_to_top();
                                    }
                                },
                                "確認"
                            }
                        }
                    }
                },
                Stage::Confirm(data) => rsx! {
                    div { class: "tab-confirm", "data-testid": "confirm-view-{name}",
                        h3 { class: "tab-form-title", "{tab.label()}の確認" }
                        p { class: "lead", "この内容で保存します。" }
                        ReadView { fields, data: data.clone(), testid: "confirm-read-{name}" }
                        if let Some(c) = conflict() {
                            ConflictNotice { conflict: c, on_reload: reload.clone() }
                        }
                        if reloaded() {
                            div { class: "notice", role: "status", "data-testid": "reloaded",
                                p { "最新の内容を読み込みました。あなたが変更していない項目は最新の内容にしています。「保存」を押すと、上の内容で保存されます。" }
                                if !both().is_empty() {
                                    p { class: "field-warning", "data-testid": "both-changed",
                                        "次の項目は相手も変更していました（あなたの入力を残しています）：{clash_text}"
                                    }
                                }
                                details { open: true,
                                    summary { "現在保存されている内容" }
                                    ReadView { fields, data: stored.clone(), testid: "latest-{name}" }
                                }
                            }
                        }
                        ErrorAlert { message: error() }
                        div { class: "form-actions sticky-actions",
                            button { r#type: "button", class: "button secondary", "data-testid": "back-{name}",
                                onclick: move |_| stage.set(Stage::Edit),
                                "戻って修正"
                            }
                            button { r#type: "button", class: "button primary", "data-testid": "save-{name}",
                                disabled: busy() || conflict().is_some(),
                                onclick: {
                                    let mut save = save.clone();
                                    let data = data.clone();
                                    move |_| save(data.clone())
                                },
                                if busy() { "保存しています…" } else { "保存" }
                            }
                        }
                    }
                },
            }
        }
    }
}

/// A new test record: today, the clinic as 外来機関 (when a clinic registers it), result pending.
fn new_test_row(list_key: &str) -> Value {
    let clinic = try_consume_context::<crate::session::SessionCtx>()
        .and_then(|s| s.me())
        .filter(|m| m.role.files_notifications())
        .map(|m| m.area_name);
    super::tab_form::new_row(list_key, clinic)
}
