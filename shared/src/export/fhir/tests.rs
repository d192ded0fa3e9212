use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::Value;

use super::*;
use crate::notification::model::{
    AbroadArea, AgeAtDiagnosis, DomesticArea, Guardian, TargetGroup, MAX_TESTS,
};
use crate::notification::Notification;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A form with every item filled (and every multi-choice option ticked).
fn full_form() -> Form20211129 {
    let mut f = Form20211129 {
        report_date: Some(d("2022-02-03")),
        category: Some(CaseCategory::ConfirmedPatient),
        first_visit_date: Some(d("2022-02-01")),
        diagnosis_date: Some(d("2022-02-02")),
        infection_date: Some(d("2022-01-28")),
        onset_date: Some(d("2022-01-30")),
        death_date: Some(d("2022-02-03")),
        ..Default::default()
    };
    f.reporter.doctor_name = "新宿 一郎".into();
    f.reporter.facility_name = "新宿みなみクリニック".into();
    f.reporter.facility_address = "東京都新宿区西新宿二丁目8番1号".into();
    f.reporter.facility_phone = "03-0000-0001".into();
    let p = &mut f.patient;
    p.name = "山田 太郎".into();
    p.furigana = "ヤマダ タロウ".into();
    p.sex = Some(Sex::Male);
    p.date_of_birth = Some(d("2010-01-15"));
    p.age_at_diagnosis = Some(AgeAtDiagnosis {
        years: 12,
        months: Some(0),
    });
    p.occupation = "中学生".into();
    p.address = Address {
        postal_code: "1600023".into(),
        municipality_code: "131041".into(),
        text: "東京都新宿区西新宿二丁目8番1号".into(),
        phone: "090-1234-5678".into(),
    };
    p.current_location = Address {
        postal_code: "1540017".into(),
        municipality_code: "131121".into(),
        text: "東京都世田谷区世田谷四丁目21番27号".into(),
        phone: "03-5432-1111".into(),
    };
    f.guardian = Guardian {
        name: "山田 花子".into(),
        address: Address {
            postal_code: "1600024".into(),
            municipality_code: String::new(),
            text: "東京都新宿区西新宿一丁目".into(),
            phone: "090-0000-9999".into(),
        },
    };
    f.symptoms.present = Symptom::ALL.iter().copied().collect();
    f.symptoms.spo2_percent = Some(93);
    f.symptoms.other = Some("筋肉痛".into());
    f.symptoms.none = true;
    f.tests = vec![
        DiagnosticTest {
            method: Some(DiagnosticMethod::NucleicAcid),
            specimen: Some(Specimen::Other),
            specimen_other: "胸水".into(),
            specimen_date: Some(d("2022-02-01")),
            result: Some(TestResult::Positive),
        },
        DiagnosticTest {
            method: Some(DiagnosticMethod::AntigenQualitative),
            specimen: Some(Specimen::NasalSwab),
            specimen_other: String::new(),
            specimen_date: Some(d("2022-02-02")),
            result: Some(TestResult::Negative),
        },
    ];
    let route = &mut f.infection.route;
    route.certainty = Some(Certainty::Presumed);
    route.droplet = Some("家族".into());
    route.contact = Some(String::new());
    route.other = Some("不明な経路".into());
    let area = &mut f.infection.area;
    area.certainty = Some(Certainty::Confirmed);
    area.domestic = vec![DomesticArea {
        prefecture: "東京都".into(),
        municipality: "新宿区".into(),
    }];
    area.abroad = vec![AbroadArea {
        country: "フランス".into(),
        detail: "パリ".into(),
    }];
    area.departure_date = Some(d("2022-01-10"));
    area.entry_date = Some(d("2022-01-25"));
    f.vaccination[0] = VaccineDose {
        status: Some(VaccinationStatus::Yes),
        age: Some(11),
        vaccine_type: "mRNA".into(),
        manufacturer: "ファイザー".into(),
        vaccine_unknown: false,
        date: Some(d("2021-10-01")),
        date_unknown: false,
    };
    f.vaccination[1] = VaccineDose {
        status: Some(VaccinationStatus::Yes),
        vaccine_unknown: true,
        date_unknown: true,
        ..Default::default()
    };
    f.vaccination[2].status = Some(VaccinationStatus::Unknown);
    let o = &mut f.other;
    o.hospitalised = Some(YesNo::Yes);
    o.admission_date = Some(d("2022-02-02"));
    o.hospital_name = "都立広尾病院".into();
    o.risk_factors_present = Some(YesNo::Yes);
    o.risk_factors = RiskFactor::ALL.iter().copied().collect();
    o.risk_factor_other = Some("喘息".into());
    o.immunocompromised = Some(YesNo::No);
    o.pregnant = Some(YesNo::No);
    o.severity = Some(Severity::ModerateII);
    o.admission_needed = Some(YesNo::Yes);
    o.telemedicine = Some(YesNo::No);
    f
}

fn record<'a>(n: &'a Notification) -> ExportRecord<'a> {
    ExportRecord {
        record_id: "rec-0001",
        notification_number: "N-2022-000001",
        filed_at_ms: 1_643_787_000_000, // 2022-02-02T07:30:00Z
        notification: n,
        institution_id: "INST1",
        institution_name: "新宿みなみクリニック",
        health_center_id: "HC13104",
        health_center_name: "新宿区保健所",
        pref_code: "13",
        status: None,
        hc_own_id: "SJ-17",
    }
}

fn resources<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn one<'a>(doc: &'a Value, kind: &str) -> &'a Value {
    let all = resources(doc, kind);
    assert_eq!(all.len(), 1, "{kind}");
    all[0]
}

/// Every QuestionnaireResponse item (nested too) by linkId.
fn qr_items(doc: &Value) -> Vec<(String, Value)> {
    fn walk(items: &Value, out: &mut Vec<(String, Value)>) {
        for i in items.as_array().into_iter().flatten() {
            out.push((i["linkId"].as_str().unwrap().to_owned(), i.clone()));
            walk(&i["item"], out);
        }
    }
    let mut out = Vec::new();
    walk(&one(doc, "QuestionnaireResponse")["item"], &mut out);
    out
}

fn codes_of(v: &Value, system: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(v: &Value, system: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if m.get("system").and_then(Value::as_str) == Some(system) {
                    if let Some(c) = m.get("code").and_then(Value::as_str) {
                        out.insert(c.to_owned());
                    }
                }
                m.values().for_each(|x| walk(x, system, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, system, out)),
            _ => {}
        }
    }
    walk(v, system, &mut out);
    out
}

fn local_system(name: &str) -> String {
    format!("{CODE_PREFIX}{name}")
}

#[test]
fn a_document_bundle_with_the_composition_first() {
    let n = Notification::R20211129(full_form());
    let doc = document(&record(&n));
    assert_eq!(doc["resourceType"], "Bundle");
    assert_eq!(doc["type"], "document");
    assert_eq!(doc["identifier"]["system"], SYSTEM_NOTIFICATION_NUMBER);
    assert_eq!(doc["identifier"]["value"], "N-2022-000001");
    assert_eq!(doc["timestamp"], "2022-02-02T16:30:00+09:00");
    let entries = doc["entry"].as_array().unwrap();
    assert_eq!(entries[0]["resource"]["resourceType"], "Composition");
    let comp = &entries[0]["resource"];
    assert_eq!(comp["status"], "final");
    assert_eq!(comp["title"], TITLE);
    assert_eq!(comp["type"]["coding"][0]["code"], "55751-2");
    // Every full URL is a urn:uuid, matches its resource's id, and every reference resolves inside the Bundle.
    let urls: BTreeSet<String> = entries
        .iter()
        .map(|e| {
            let url = e["fullUrl"].as_str().unwrap().to_owned();
            assert_eq!(
                url,
                format!("urn:uuid:{}", e["resource"]["id"].as_str().unwrap())
            );
            url
        })
        .collect();
    assert_eq!(urls.len(), entries.len(), "full URLs are unique");
    let mut refs = Vec::new();
    fn walk(v: &Value, refs: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("reference") {
                    refs.push(r.clone());
                }
                m.values().for_each(|x| walk(x, refs));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, refs)),
            _ => {}
        }
    }
    walk(&doc, &mut refs);
    assert!(refs.len() > 10);
    for r in &refs {
        assert!(urls.contains(r), "{r} does not resolve");
    }
    // Every entry but the composition is referenced from a section.
    let sectioned: BTreeSet<String> = comp["section"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["entry"].as_array().unwrap().iter())
        .map(|e| e["reference"].as_str().unwrap().to_owned())
        .collect();
    for e in &entries[1..] {
        let kind = e["resource"]["resourceType"].as_str().unwrap();
        if kind == "Specimen"
            || (kind == "Organization"
                && e["resource"]["type"].is_null()
                && e["resource"]["identifier"].is_null())
        {
            continue; // reached through their Observation / Encounter
        }
        if kind == "Organization"
            && e["resource"]["identifier"][0]["system"] == SYSTEM_HEALTH_CENTER_ID
        {
            continue; // the custodian
        }
        assert!(sectioned.contains(e["fullUrl"].as_str().unwrap()), "{kind}");
    }
    // No empty strings anywhere (FHIR forbids them).
    assert!(!doc.to_string().contains("\"\""));
}

#[test]
fn ids_are_deterministic_per_record_and_resource() {
    let n = Notification::R20211129(full_form());
    let a = document(&record(&n));
    let b = document(&record(&n));
    assert_eq!(a, b);
    let mut other = record(&n);
    other.record_id = "rec-0002";
    let c = document(&other);
    assert_ne!(a["entry"][0]["fullUrl"], c["entry"][0]["fullUrl"]);
    let u = uuid("rec-0001", "patient");
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "8", "version 8");
    assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "RFC variant");
    assert_ne!(uuid("rec-0001", "patient"), uuid("rec-0001", "condition"));
}

#[test]
fn the_patient_follows_jp_core() {
    let n = Notification::R20211129(full_form());
    let doc = document(&record(&n));
    let p = one(&doc, "Patient");
    assert_eq!(
        p["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient"
    );
    let names = p["name"].as_array().unwrap();
    assert_eq!(names[0]["extension"][0]["valueCode"], "IDE");
    assert_eq!(names[0]["text"], "山田 太郎");
    assert_eq!(names[0]["family"], "山田");
    assert_eq!(names[0]["given"][0], "太郎");
    assert_eq!(names[1]["extension"][0]["valueCode"], "SYL");
    assert_eq!(names[1]["text"], "ヤマダ タロウ");
    assert_eq!(p["gender"], "male");
    assert_eq!(p["birthDate"], "2010-01-15");
    assert_eq!(p["deceasedDateTime"], "2022-02-03");
    let home = &p["address"][0];
    assert_eq!(home["use"], "home");
    assert_eq!(home["postalCode"], "1600023");
    assert_eq!(home["state"], "東京都");
    assert_eq!(home["text"], "東京都新宿区西新宿二丁目8番1号");
    #[cfg(feature = "reference-data")]
    assert_eq!(home["city"], "新宿区");
    let now = &p["address"][1];
    assert_eq!(now["use"], "temp");
    assert_eq!(now["postalCode"], "1540017");
    assert_eq!(p["telecom"][0]["value"], "090-1234-5678");
    assert_eq!(p["telecom"][1]["value"], "03-5432-1111");
    let g = &p["contact"][0];
    assert_eq!(g["relationship"][0]["coding"][0]["code"], "GUARD");
    assert_eq!(g["name"]["text"], "山田 花子");
    assert_eq!(g["telecom"][0]["value"], "090-0000-9999");
    assert_eq!(p["identifier"][1]["value"], "SJ-17");
    // Sex female, and none.
    let mut f = full_form();
    f.patient.sex = Some(Sex::Female);
    let n = Notification::R20211129(f.clone());
    assert_eq!(one(&document(&record(&n)), "Patient")["gender"], "female");
    f.patient.sex = None;
    f.patient.name = "ヤマダタロウ".into();
    let n = Notification::R20211129(f);
    let doc = document(&record(&n));
    let p = one(&doc, "Patient");
    assert!(p["gender"].is_null());
    assert!(p["name"][0]["family"].is_null(), "no space: text only");
}

#[test]
fn every_category_maps_to_a_verification_status() {
    for &c in CaseCategory::ALL {
        let mut f = full_form();
        f.category = Some(c);
        let n = Notification::R20211129(f);
        let doc = document(&record(&n));
        let cond = one(&doc, "Condition");
        let want = match c {
            CaseCategory::SuspectedPatient | CaseCategory::SuspectedDeceased => "provisional",
            _ => "confirmed",
        };
        assert_eq!(
            cond["verificationStatus"]["coding"][0]["code"], want,
            "{c:?}"
        );
        assert_eq!(cond["category"][0]["text"], c.label());
        assert_eq!(cond["code"]["coding"][0]["code"], "U07.1");
        assert_eq!(cond["code"]["coding"][1]["code"], "840539006");
        assert_eq!(cond["onsetDateTime"], "2022-01-30");
        assert_eq!(cond["recordedDate"], "2022-02-02");
    }
}

#[test]
fn every_symptom_and_severity_is_evidence() {
    let n = Notification::R20211129(full_form());
    let doc = document(&record(&n));
    let cond = one(&doc, "Condition");
    let got = codes_of(&cond["evidence"], &local_system("symptom"));
    for s in Symptom::ALL {
        assert!(got.contains(&key(*s)), "{s:?}");
    }
    assert!(got.contains("other") && got.contains("none"));
    assert!(cond.to_string().contains("その他（筋肉痛）"));
    for &s in Severity::ALL {
        let mut f = full_form();
        f.other.severity = Some(s);
        let n = Notification::R20211129(f);
        let doc = document(&record(&n));
        assert_eq!(one(&doc, "Condition")["severity"]["text"], s.label());
        assert_eq!(
            one(&doc, "Condition")["severity"]["coding"][0]["code"],
            key(s)
        );
    }
    let spo2 = resources(&doc, "Observation")
        .into_iter()
        .find(|o| o["code"]["coding"][0]["code"] == "59408-5")
        .unwrap();
    assert_eq!(spo2["valueQuantity"]["value"], 93);
}

#[test]
fn every_method_specimen_and_result_is_an_observation() {
    let mut combos = Vec::new();
    for &m in DiagnosticMethod::ALL {
        for &s in m.specimens() {
            combos.push((m, s));
        }
    }
    for (i, chunk) in combos.chunks(MAX_TESTS).enumerate() {
        let mut f = full_form();
        f.tests = chunk
            .iter()
            .enumerate()
            .map(|(j, &(m, s))| DiagnosticTest {
                method: Some(m),
                specimen: Some(s),
                specimen_other: if s == Specimen::Other {
                    "胸水".into()
                } else {
                    String::new()
                },
                specimen_date: Some(d("2022-02-01")),
                result: Some(TestResult::ALL[(i + j) % TestResult::ALL.len()]),
            })
            .collect();
        let n = Notification::R20211129(f.clone());
        let doc = document(&record(&n));
        let obs: Vec<&Value> = resources(&doc, "Observation")
            .into_iter()
            .filter(|o| o["category"][0]["coding"][0]["code"] == "laboratory")
            .collect();
        assert_eq!(obs.len(), f.tests.len());
        let specimens = resources(&doc, "Specimen");
        for (t, o) in f.tests.iter().zip(&obs) {
            let m = t.method.unwrap();
            assert_eq!(o["code"]["coding"][0]["system"], LOINC);
            assert_eq!(o["code"]["coding"][0]["code"], method_loinc(m).0);
            assert_eq!(o["code"]["coding"][1]["code"], key(m));
            assert_eq!(o["code"]["text"], m.label());
            let r = t.result.unwrap();
            let value = &o["valueCodeableConcept"];
            assert_eq!(value["text"], r.label());
            match result_snomed(r) {
                Some((code, _)) => assert_eq!(value["coding"][0]["code"], code),
                None => assert_eq!(value["coding"][0]["code"], "other"),
            }
            assert_eq!(o["effectiveDateTime"], "2022-02-01");
            let sref = o["specimen"]["reference"].as_str().unwrap();
            let sp = specimens
                .iter()
                .find(|s| format!("urn:uuid:{}", s["id"].as_str().unwrap()) == sref)
                .unwrap();
            assert_eq!(sp["type"]["coding"][0]["code"], key(t.specimen.unwrap()));
            assert_eq!(sp["collection"]["collectedDateTime"], "2022-02-01");
            if t.specimen == Some(Specimen::Other) {
                assert_eq!(sp["type"]["text"], "その他（胸水）");
            } else {
                assert_eq!(sp["type"]["text"], t.specimen.unwrap().label());
            }
        }
    }
    // Every method and every specimen were covered.
    assert_eq!(
        combos.iter().map(|c| c.0).collect::<BTreeSet<_>>().len(),
        DiagnosticMethod::ALL.len()
    );
    assert_eq!(
        combos.iter().map(|c| c.1).collect::<BTreeSet<_>>().len(),
        Specimen::ALL.len()
    );
}

#[test]
fn admission_is_an_encounter_and_only_then() {
    let n = Notification::R20211129(full_form());
    let doc = document(&record(&n));
    let e = one(&doc, "Encounter");
    assert_eq!(e["class"]["code"], "IMP");
    assert_eq!(e["period"]["start"], "2022-02-02");
    let hospital = resources(&doc, "Organization")
        .into_iter()
        .find(|o| o["name"] == "都立広尾病院")
        .unwrap();
    assert_eq!(
        e["serviceProvider"]["reference"],
        format!("urn:uuid:{}", hospital["id"].as_str().unwrap())
    );
    let mut f = full_form();
    f.other.hospitalised = Some(YesNo::No);
    f.other.admission_date = None;
    f.other.hospital_name = String::new();
    let n = Notification::R20211129(f);
    assert!(resources(&document(&record(&n)), "Encounter").is_empty());
}

#[test]
fn the_questionnaire_response_holds_the_remaining_items() {
    let n = Notification::R20211129(full_form());
    let doc = document(&record(&n));
    let items = qr_items(&doc);
    let ids: BTreeSet<&str> = items.iter().map(|(i, _)| i.as_str()).collect();
    for id in [
        "form-version",
        "report-date",
        "category",
        "age-at-diagnosis.years",
        "age-at-diagnosis.months",
        "occupation",
        "first-visit-date",
        "infection-date",
        "death-date",
        "infection-route.certainty",
        "infection-route.droplet",
        "infection-route.droplet-detail",
        "infection-route.contact",
        "infection-route.other",
        "infection-route.other-detail",
        "infection-area.certainty",
        "infection-area.domestic.prefecture",
        "infection-area.domestic.municipality",
        "infection-area.abroad.country",
        "infection-area.abroad.detail",
        "infection-area.departure-date",
        "infection-area.entry-date",
        "vaccination.dose-1.status",
        "vaccination.dose-1.age",
        "vaccination.dose-1.vaccine-type",
        "vaccination.dose-1.manufacturer",
        "vaccination.dose-1.date",
        "vaccination.dose-2.vaccine-unknown",
        "vaccination.dose-2.date-unknown",
        "vaccination.dose-3.status",
        "other.hospitalised",
        "other.risk-factors-present",
        "other.risk-factors",
        "other.risk-factor-other",
        "other.risk-factor-other-detail",
        "other.immunocompromised",
        "other.pregnant",
        "other.admission-needed",
        "other.telemedicine",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    assert!(
        !ids.contains("infection-route.contact-detail"),
        "no empty text"
    );
    assert!(!ids.contains("target-groups"), "not on the 2021-11-29 form");
    let factors = &items
        .iter()
        .find(|(i, _)| i == "other.risk-factors")
        .unwrap()
        .1;
    let got = codes_of(factors, &local_system("risk-factor"));
    for f in RiskFactor::ALL {
        assert!(got.contains(&key(*f)), "{f:?}");
    }
    for &v in VaccinationStatus::ALL {
        let mut f = full_form();
        f.vaccination[2].status = Some(v);
        let n = Notification::R20211129(f);
        let doc = document(&record(&n));
        let s = qr_items(&doc)
            .into_iter()
            .find(|(i, _)| i == "vaccination.dose-3.status")
            .unwrap()
            .1;
        assert_eq!(s["answer"][0]["valueCoding"]["display"], v.label());
    }
    for &c in Certainty::ALL {
        let mut f = full_form();
        f.infection.route.certainty = Some(c);
        f.infection.area.certainty = Some(c);
        let n = Notification::R20211129(f);
        let doc = document(&record(&n));
        let items = qr_items(&doc);
        for id in ["infection-route.certainty", "infection-area.certainty"] {
            let s = &items.iter().find(|(i, _)| i == id).unwrap().1;
            assert_eq!(s["answer"][0]["valueCoding"]["code"], key(c));
        }
    }
    for &y in YesNo::ALL {
        let mut f = full_form();
        f.other.telemedicine = Some(y);
        let n = Notification::R20211129(f);
        let doc = document(&record(&n));
        let s = qr_items(&doc)
            .into_iter()
            .find(|(i, _)| i == "other.telemedicine")
            .unwrap()
            .1;
        assert_eq!(s["answer"][0]["valueCoding"]["display"], y.label());
    }
}

#[test]
fn the_limited_form_keeps_each_target_group() {
    for &g in &TargetGroup::ALL {
        let mut f = full_form();
        f.target_groups.set(g, true);
        let n = Notification::R20220926(f);
        let doc = document(&record(&n));
        let items = qr_items(&doc);
        let version = &items.iter().find(|(i, _)| i == "form-version").unwrap().1;
        assert_eq!(version["answer"][0]["valueString"], "2022-09-26");
        let groups = &items.iter().find(|(i, _)| i == "target-groups").unwrap().1;
        assert_eq!(groups["answer"].as_array().unwrap().len(), 1);
        assert_eq!(groups["answer"][0]["valueCoding"]["code"], g.key());
        assert!(one(&doc, "QuestionnaireResponse")["questionnaire"]
            .as_str()
            .unwrap()
            .ends_with("|2022-09-26"));
    }
}

/// Every value the notification's JSON holds (text, dates, numbers, option keys) is found in the document.
#[test]
fn nothing_the_form_holds_is_missing() {
    let f = full_form();
    let n = Notification::R20211129(f);
    let doc = document(&record(&n));
    let body = serde_json::to_value(&n).unwrap();
    let mut doc_strings = BTreeSet::new();
    fn strings(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => {
                out.insert(s.clone());
            }
            Value::Number(n) => {
                out.insert(n.to_string());
            }
            Value::Object(m) => m.values().for_each(|x| strings(x, out)),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    strings(&doc, &mut doc_strings);
    let all = doc.to_string();
    let mut leaves = BTreeSet::new();
    strings(&body, &mut leaves);
    for leaf in leaves {
        // Text may be embedded in a label (「その他（胸水）」).
        assert!(
            doc_strings.contains(&leaf) || all.contains(&leaf),
            "{leaf} is not in the document"
        );
    }
}

#[test]
fn a_blank_form_still_gives_a_valid_shape() {
    let n = Notification::new_current();
    let doc = document(&record(&n));
    assert_eq!(doc["entry"][0]["resource"]["resourceType"], "Composition");
    assert!(!doc.to_string().contains("\"\""));
    assert!(!doc.to_string().contains("null"));
}
