//! The notification laid out like the official form (別記様式6-1): the confirm screen, the record and the print
//! (one A4 page through the print style sheet). Dates in 和暦 with the Western date beside them.

use chrono::{Datelike, NaiveDate};
use dioxus::prelude::*;
use shared::notification::dates::{age_on, Wareki};
use shared::notification::model::TargetGroup;
use shared::notification::model::{Address, Form20211129};
use shared::notification::options::{VaccinationStatus, YesNo};
use shared::notification::Notification;

/// 「2024/01/31」 (written out by hand: chrono's formatter is a large part of a wasm bundle).
pub fn ymd(d: NaiveDate) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day())
}

pub fn wareki(d: Option<NaiveDate>) -> String {
    match d {
        None => String::new(),
        Some(d) => match Wareki::from_date(d) {
            Some(w) => format!("{}（{}）", w.long(), ymd(d)),
            None => ymd(d),
        },
    }
}

fn yes_no(v: Option<YesNo>) -> String {
    v.map_or(String::new(), |v| v.label().to_owned())
}

fn address(a: &Address) -> String {
    let mut s = String::new();
    if !a.postal_code.trim().is_empty() {
        s.push_str(&format!("〒{} ", a.postal_code.trim()));
    }
    s.push_str(a.text.trim());
    if !a.phone.trim().is_empty() {
        s.push_str(&format!("　電話 {}", a.phone.trim()));
    }
    s
}

fn tick(label: &str, v: &Option<String>) -> Option<String> {
    v.as_ref().map(|t| {
        if t.trim().is_empty() {
            label.to_owned()
        } else {
            format!("{label}（{}）", t.trim())
        }
    })
}

/// Every item of the form as (number, label, value); blank values print as blank, like the paper form.
pub fn rows(f: &Form20211129) -> Vec<(&'static str, &'static str, String)> {
    let p = &f.patient;
    let age = match (p.date_of_birth, f.diagnosis_date) {
        (Some(b), Some(d)) => age_on(b, d).map_or(String::new(), |a| {
            if a.years == 0 {
                format!("0歳（{}か月）", a.months)
            } else {
                format!("{}歳", a.years)
            }
        }),
        _ => String::new(),
    };
    let symptoms = {
        let mut s: Vec<String> = f
            .symptoms
            .present
            .iter()
            .map(|s| s.label().to_owned())
            .collect();
        if let Some(o) = tick("その他", &f.symptoms.other) {
            s.push(o);
        }
        if s.is_empty() {
            if f.symptoms.none {
                "症状なし".to_owned()
            } else {
                "すべて無".to_owned()
            }
        } else {
            format!("有: {}（他は無）", s.join("、"))
        }
    };
    let spo2 = f
        .symptoms
        .spo2_percent
        .map_or(String::new(), |v| format!("{v}％"));
    let tests = f
        .tests
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let specimen = match t.specimen {
                Some(shared::notification::options::Specimen::Other) => {
                    format!("その他（{}）", t.specimen_other)
                }
                Some(s) => s.label().to_owned(),
                None => String::new(),
            };
            format!(
                "検査{}: {} / 検体: {} / 採取日: {} / 結果: {}",
                i + 1,
                t.method.map_or("", |m| m.label()),
                specimen,
                wareki(t.specimen_date),
                t.result.map_or("", |r| r.label())
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let route = &f.infection.route;
    let routes: Vec<String> = [
        tick("飛沫・飛沫核感染", &route.droplet),
        tick("接触感染", &route.contact),
        tick("その他", &route.other),
    ]
    .into_iter()
    .flatten()
    .collect();
    let area = &f.infection.area;
    let mut areas: Vec<String> = area
        .domestic
        .iter()
        .map(|d| format!("日本国内（{} {}）", d.prefecture, d.municipality))
        .collect();
    areas.extend(
        area.abroad
            .iter()
            .map(|a| format!("国外（{} {}）", a.country, a.detail)),
    );
    if area.departure_date.is_some() || area.entry_date.is_some() {
        areas.push(format!(
            "渡航期間 出国日 {} 入国日 {}",
            wareki(area.departure_date),
            wareki(area.entry_date)
        ));
    }
    let vaccination = f
        .vaccination
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let status = d.status.map_or("", |s| s.label());
            let details = if d.status == Some(VaccinationStatus::Yes) {
                format!(
                    "（{}歳）種類／製造会社: {}／{}{} 接種日: {}{}",
                    d.age.map_or(String::new(), |a| a.to_string()),
                    d.vaccine_type,
                    d.manufacturer,
                    if d.vaccine_unknown { "・不明" } else { "" },
                    wareki(d.date),
                    if d.date_unknown { "・不明" } else { "" }
                )
            } else {
                String::new()
            };
            format!("{}回目: {status}{details}", i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let o = &f.other;
    let mut risk: Vec<String> = o
        .risk_factors
        .iter()
        .map(|r| r.label().to_owned())
        .collect();
    if let Some(t) = tick("その他", &o.risk_factor_other) {
        risk.push(t);
    }
    let admission = if o.hospitalised == Some(YesNo::Yes) {
        format!(
            "有（入院年月日 {}　入院先 {}）",
            wareki(o.admission_date),
            o.hospital_name
        )
    } else {
        yes_no(o.hospitalised)
    };
    vec![
        (
            "1",
            "診断（検案）した者（死体）の類型",
            f.category.map_or(String::new(), |c| c.label().to_owned()),
        ),
        (
            "2",
            "当該者氏名（フリガナ）",
            format!("{}（{}）", p.name, p.furigana),
        ),
        (
            "3",
            "性別",
            p.sex.map_or(String::new(), |s| s.label().to_owned()),
        ),
        ("4", "生年月日", wareki(p.date_of_birth)),
        ("5", "診断時の年齢", age),
        ("6", "当該者職業", p.occupation.clone()),
        ("7", "当該者住所", address(&p.address)),
        (
            "8",
            "当該者所在地",
            if p.current_location_same_as_address {
                "当該者住所と同様".to_owned()
            } else {
                address(&p.current_location)
            },
        ),
        ("9", "保護者氏名", f.guardian.name.clone()),
        ("10", "保護者住所", address(&f.guardian.address)),
        (
            "11",
            "症状",
            if spo2.is_empty() {
                symptoms
            } else {
                format!("{symptoms}　酸素飽和度（室内気） {spo2}")
            },
        ),
        ("12", "診断方法", tests),
        ("13", "初診年月日", wareki(f.first_visit_date)),
        ("14", "診断（検案）年月日", wareki(f.diagnosis_date)),
        ("15", "感染したと推定される年月日", wareki(f.infection_date)),
        ("16", "発病年月日", wareki(f.onset_date)),
        ("17", "死亡年月日", wareki(f.death_date)),
        (
            "18①",
            "感染原因・感染経路",
            format!(
                "{} {}",
                route.certainty.map_or("", |c| c.label()),
                routes.join("、")
            ),
        ),
        (
            "18②",
            "感染地域",
            format!(
                "{} {}",
                area.certainty.map_or("", |c| c.label()),
                areas.join("、")
            ),
        ),
        ("18③", "ワクチン接種歴", vaccination),
        ("19", "届出時点の入院", admission),
        (
            "19",
            "重症化のリスク因子となる疾患等",
            if risk.is_empty() {
                yes_no(o.risk_factors_present)
            } else {
                format!("有: {}", risk.join("、"))
            },
        ),
        (
            "19",
            "免疫の機能が低下しているおそれ",
            yes_no(o.immunocompromised),
        ),
        ("19", "妊娠", yes_no(o.pregnant)),
        (
            "19",
            "重症度",
            o.severity.map_or(String::new(), |s| s.label().to_owned()),
        ),
        ("19", "入院の必要性", yes_no(o.admission_needed)),
        (
            "19",
            "電話や情報通信機器を用いた診療",
            yes_no(o.telemedicine),
        ),
    ]
}

/// The sheet. `number` and `health_center` appear in the header once filed.
#[component]
pub fn Sheet(
    notification: Notification,
    number: Option<String>,
    health_center: Option<String>,
) -> Element {
    let f = notification.form();
    let version = notification.version();
    let title = version.title();
    let mut rows = rows(f);
    // The limited form's 届出の対象, after item 1: every group printed, the ticked ones marked ☑.
    if version.has_target_groups() {
        let groups = TargetGroup::ALL
            .iter()
            .map(|g| {
                let mark = if f.target_groups.get(*g) {
                    "☑"
                } else {
                    "☐"
                };
                format!("{mark}{}{}", g.number(), g.label())
            })
            .collect::<Vec<_>>()
            .join("\n");
        let at = rows.iter().position(|r| r.0 == "1").map_or(0, |i| i + 1);
        rows.insert(at, ("", "届出の対象", groups));
    }
    rsx! {
        article { class: "form-sheet", "data-testid": "form-sheet",
            header { class: "sheet-head",
                h2 { class: "sheet-title", "{title}" }
                if let Some(n) = number { p { class: "sheet-number", "届出番号 {n}" } }
                p { class: "sheet-to",
                    if let Some(h) = health_center { "{h} 経由　" }
                    "都道府県知事（保健所設置市長・特別区長）殿"
                }
                p { class: "sheet-law", "感染症の予防及び感染症の患者に対する医療に関する法律第12条第1項（同条第6項において準用する場合を含む。）の規定により、以下のとおり届け出る。" }
                dl { class: "sheet-reporter",
                    dt { "報告年月日" } dd { {wareki(f.report_date)} }
                    dt { "医師の氏名" } dd { "{f.reporter.doctor_name}" }
                    dt { "従事する病院・診療所の名称" } dd { "{f.reporter.facility_name}" }
                    dt { "上記病院・診療所の所在地" } dd { "{f.reporter.facility_address}" }
                    dt { "電話番号" } dd { "{f.reporter.facility_phone}" }
                }
            }
            table { class: "sheet-table",
                tbody {
                    for (i, (no, label, value)) in rows.into_iter().enumerate() {
                        tr { key: "{i}",
                            th { class: "sheet-no", "{no}" }
                            th { class: "sheet-label", "{label}" }
                            td { class: "sheet-value", "{value}" }
                        }
                    }
                }
            }
        }
    }
}
