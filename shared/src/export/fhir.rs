//! A notification as a FHIR R4 document Bundle (docs/EXPORTS.md, "FHIR", describes the mapping resource by
//! resource).
//!
//! One filed notification gives one `Bundle` of type `document`: a `Composition` first, then `Patient` (JP Core),
//! `Practitioner` (the notifying doctor), `Organization`s (the clinic, the health center, the hospital of
//! admission), `Condition` (COVID-19), one `Specimen` + `Observation` per test, an `Observation` for SpO₂, an
//! `Encounter` where admission is recorded and a `QuestionnaireResponse` with every item that has no element of its
//! own. Every closed choice of the form is written as a coding of a local code system (`urn:her-sys:code:<name>`,
//! code = the JSON key, display = the printed label) beside the standard code where one exists, so nothing the
//! form holds is lost and the printed wording is always kept. Ids are deterministic (a SHA-256 of the record id and
//! the resource's role), so the same record always gives the same document.
//!
//! Codes and where they came from:
//! - `Composition.type`: LOINC 55751-2 "Public health Case report" (the type of HL7's electronic initial case
//!   report, eICR).
//! - `Condition.code`: ICD-10 U07.1 "COVID-19, virus identified" (WHO's emergency code) and SNOMED CT 840539006
//!   "Disease caused by severe acute respiratory syndrome coronavirus 2 (disorder)".
//! - Tests (`Observation.code`), LOINC as listed by HL7's value set `ExampleCOVID19TestCodes` (Vulcan real-world
//!   data IG) and the Logica COVID-19 FHIR Profile Library IG (US covid19library):
//!   isolation → 94763-0 "SARS-CoV-2 (COVID-19) [Presence] in Specimen by Organism specific culture";
//!   nucleic acid amplification → 94309-2 "SARS-CoV-2 (COVID-19) RNA [Presence] in Specimen by NAA with probe
//!   detection" (the specimen-independent code: the form allows stool and autopsy material too);
//!   qualitative antigen → 97097-0 "SARS-CoV-2 (COVID-19) Ag [Presence] in Upper respiratory specimen by Rapid
//!   immunoassay" (the form allows only nasal and nasopharyngeal swabs);
//!   quantitative antigen → 96119-3 "SARS-CoV-2 (COVID-19) Ag [Presence] in Upper respiratory specimen by
//!   Immunoassay" (the laboratory immunoassay; the form records its judgement, positive or negative).
//! - Results: SNOMED CT 10828004 "Positive" and 260385009 "Negative" (qualifier values, as in the covid19library
//!   examples); その他 has no standard code (local code and text only).
//! - SpO₂: LOINC 59408-5 "Oxygen saturation in Arterial blood by Pulse oximetry" with 2708-6, as FHIR R4's
//!   oxygen-saturation vital-signs profile codes it; unit UCUM `%`.
//! - Patient names: the `iso21090-EN-representation` extension, `IDE` (ideographic: the kanji name) and `SYL`
//!   (syllabic: the kana), as JP Core's JP_Patient uses it.
//! - Guardian: `Patient.contact.relationship` v3 RoleCode `GUARD`.
//! - Admission: `Encounter.class` v3 ActCode `IMP` (inpatient encounter).

use chrono::{FixedOffset, NaiveDate, TimeZone};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::ExportRecord;
use crate::notification::model::{Address, DiagnosticTest, Form20211129, VaccineDose};
use crate::notification::municipality::{prefecture_name, MunicipalityCode};
use crate::notification::options::{
    CaseCategory, Certainty, DiagnosticMethod, RiskFactor, Severity, Sex, Specimen, Symptom,
    TestResult, VaccinationStatus, YesNo,
};

/// The document's title (Composition.title).
pub const TITLE: &str = "新型コロナウイルス感染症発生届";
/// Identifier systems and the local code systems' prefix (a URN namespace of this product).
pub const SYSTEM_NOTIFICATION_NUMBER: &str = "urn:her-sys:notification-number";
pub const SYSTEM_RECORD_ID: &str = "urn:her-sys:record-id";
pub const SYSTEM_INSTITUTION_ID: &str = "urn:her-sys:institution-id";
pub const SYSTEM_HEALTH_CENTER_ID: &str = "urn:her-sys:health-center-id";
pub const SYSTEM_HC_OWN_ID: &str = "urn:her-sys:health-center-own-id";
pub const CODE_PREFIX: &str = "urn:her-sys:code:";
/// The QuestionnaireResponse's questionnaire (`|<form version>` follows).
pub const QUESTIONNAIRE: &str = "urn:her-sys:questionnaire:covid19-notification";

pub const LOINC: &str = "http://loinc.org";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
const EN_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
const JP_CORE: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/";

/// The LOINC code and display of a test method (see the module's notes for the sources).
pub fn method_loinc(m: DiagnosticMethod) -> (&'static str, &'static str) {
    match m {
        DiagnosticMethod::Isolation => (
            "94763-0",
            "SARS-CoV-2 (COVID-19) [Presence] in Specimen by Organism specific culture",
        ),
        DiagnosticMethod::NucleicAcid => (
            "94309-2",
            "SARS-CoV-2 (COVID-19) RNA [Presence] in Specimen by NAA with probe detection",
        ),
        DiagnosticMethod::AntigenQualitative => (
            "97097-0",
            "SARS-CoV-2 (COVID-19) Ag [Presence] in Upper respiratory specimen by Rapid immunoassay",
        ),
        DiagnosticMethod::AntigenQuantitative => (
            "96119-3",
            "SARS-CoV-2 (COVID-19) Ag [Presence] in Upper respiratory specimen by Immunoassay",
        ),
    }
}

/// The SNOMED CT qualifier value of a result, where one fits.
pub fn result_snomed(r: TestResult) -> Option<(&'static str, &'static str)> {
    match r {
        TestResult::Positive => Some(("10828004", "Positive")),
        TestResult::Negative => Some(("260385009", "Negative")),
        TestResult::Other => None,
    }
}

/// The JSON key of an option (its serde name), the local code.
fn key<T: serde::Serialize>(o: T) -> String {
    match serde_json::to_value(o) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A coding of a local code system.
fn local(system: &str, code: String, display: &str) -> Value {
    json!({"system": format!("{CODE_PREFIX}{system}"), "code": code, "display": display})
}

/// A CodeableConcept of a closed choice: the local coding (plus `standard` first where there is one), the printed
/// label as text.
fn concept<T: serde::Serialize + Copy>(
    system: &str,
    o: T,
    label: &str,
    standard: Option<Value>,
) -> Value {
    let mut codings: Vec<Value> = standard.into_iter().collect();
    codings.push(local(system, key(o), label));
    json!({"coding": codings, "text": label})
}

/// A FHIR string must not be empty: `None` for blank text.
fn text(s: &str) -> Option<Value> {
    (!s.trim().is_empty()).then(|| Value::String(s.to_owned()))
}

fn date(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

/// `ms` since the epoch as an ISO instant in Japan time (`2022-02-01T09:30:00+09:00`).
pub fn jst_instant(ms: i64) -> String {
    let jst = FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap());
    jst.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_else(|| "1970-01-01T09:00:00+09:00".into())
}

/// A deterministic UUID (version 8, RFC 9562's custom layout) from the record id and a resource's role.
pub fn uuid(record_id: &str, role: &str) -> String {
    let digest = Sha256::digest(format!("her-sys/fhir/{record_id}/{role}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Drops members whose value is `null` (absent in FHIR).
fn clean(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| !x.is_null());
    }
    v
}

/// Builds the entries, each with its deterministic `urn:uuid:` full URL.
struct Doc<'a> {
    r: &'a ExportRecord<'a>,
    entries: Vec<Value>,
}

impl Doc<'_> {
    fn url(&self, role: &str) -> String {
        format!("urn:uuid:{}", uuid(self.r.record_id, role))
    }

    fn reference(&self, role: &str) -> Value {
        json!({"reference": self.url(role)})
    }

    fn push(&mut self, role: &str, mut resource: Value) -> Value {
        if let Value::Object(m) = &mut resource {
            m.retain(|_, x| !x.is_null());
            let mut ordered = Map::new();
            if let Some(t) = m.remove("resourceType") {
                ordered.insert("resourceType".into(), t);
            }
            ordered.insert("id".into(), Value::String(uuid(self.r.record_id, role)));
            ordered.append(m);
            resource = Value::Object(ordered);
        }
        self.entries
            .push(json!({"fullUrl": self.url(role), "resource": resource}));
        self.reference(role)
    }
}

/// The document Bundle of one filed notification.
pub fn document(r: &ExportRecord<'_>) -> Value {
    let form = r.notification.form();
    let timestamp = jst_instant(r.filed_at_ms);
    let mut doc = Doc {
        r,
        entries: Vec::new(),
    };

    let patient = doc.push("patient", patient(r, form));
    let practitioner = doc.push("practitioner", practitioner(form));
    let clinic = doc.push("clinic", clinic(r, form));
    let health_center = doc.push("health-center", health_center(r));

    let mut tests = Vec::new();
    for (i, t) in form.tests.iter().enumerate() {
        let specimen_role = format!("specimen-{}", i + 1);
        let specimen = (t.specimen.is_some() || t.specimen_date.is_some())
            .then(|| doc.push(&specimen_role, specimen(t, &patient)));
        tests.push(doc.push(
            &format!("test-{}", i + 1),
            test(t, &patient, &clinic, specimen),
        ));
    }
    let spo2 = form
        .symptoms
        .spo2_percent
        .map(|p| doc.push("spo2", spo2(p, &patient, form)));
    let condition = doc.push(
        "condition",
        condition(form, &patient, &practitioner, &tests, spo2.as_ref()),
    );
    let o = &form.other;
    let admitted = o.hospitalised == Some(YesNo::Yes)
        || o.admission_date.is_some()
        || !o.hospital_name.trim().is_empty();
    let mut encounter = None;
    if admitted {
        let hospital = text(&o.hospital_name).map(|name| {
            doc.push(
                "hospital",
                json!({"resourceType": "Organization",
                       "meta": {"profile": [format!("{JP_CORE}JP_Organization")]},
                       "name": name}),
            )
        });
        encounter = Some(doc.push(
            "encounter",
            json!({
                "resourceType": "Encounter",
                "meta": {"profile": [format!("{JP_CORE}JP_Encounter")]},
                "status": "in-progress",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP",
                          "display": "inpatient encounter"},
                "subject": patient,
                "period": o.admission_date.map(|d| json!({"start": date(d)})),
                "reasonReference": [condition],
                "serviceProvider": hospital,
            }),
        ));
    }
    let answers = questionnaire_items(r, form);
    let qr = doc.push(
        "questionnaire-response",
        json!({
            "resourceType": "QuestionnaireResponse",
            "questionnaire": format!("{QUESTIONNAIRE}|{}", r.notification.version().as_str()),
            "status": "completed",
            "subject": patient,
            "authored": timestamp,
            "author": practitioner,
            "item": answers,
        }),
    );

    let mut sections = vec![
        json!({"title": "患者", "entry": [patient]}),
        json!({"title": "届出者", "entry": [practitioner, clinic]}),
        json!({"title": "診断", "entry": [condition]}),
    ];
    let mut results = tests.clone();
    results.extend(spo2);
    if !results.is_empty() {
        sections.push(json!({"title": "検査", "entry": results}));
    }
    if let Some(e) = encounter {
        sections.push(json!({"title": "入院", "entry": [e]}));
    }
    sections.push(json!({"title": "その他の届出事項", "entry": [qr]}));

    let composition = clean(json!({
        "resourceType": "Composition",
        "id": uuid(r.record_id, "composition"),
        "identifier": {"system": SYSTEM_NOTIFICATION_NUMBER, "value": r.notification_number},
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": "55751-2", "display": "Public health Case report"}],
                 "text": TITLE},
        "subject": patient,
        "date": timestamp,
        "author": [practitioner, clinic],
        "title": TITLE,
        "custodian": health_center,
        "section": sections,
    }));
    let mut entries = vec![json!({"fullUrl": doc.url("composition"), "resource": composition})];
    entries.append(&mut doc.entries);

    json!({
        "resourceType": "Bundle",
        "id": uuid(r.record_id, "bundle"),
        "identifier": {"system": SYSTEM_NOTIFICATION_NUMBER, "value": r.notification_number},
        "type": "document",
        "timestamp": timestamp,
        "entry": entries,
    })
}

/// A Japanese name as JP Core writes it: family and given split at the first space when there is one.
fn human_name(name: &str, representation: &str) -> Option<Value> {
    let full = name.trim();
    if full.is_empty() {
        return None;
    }
    let mut n = json!({
        "extension": [{"url": EN_REPRESENTATION, "valueCode": representation}],
        "use": "official",
        "text": name,
    });
    if let Some((family, given)) = full.split_once([' ', '\u{3000}']) {
        let given = given.trim();
        if !family.is_empty() && !given.is_empty() {
            n["family"] = Value::String(family.to_owned());
            n["given"] = json!([given]);
        }
    }
    Some(n)
}

/// An address with the parts JP Core has: the prefecture (from the municipality code) and, with the reference
/// tables, the city.
fn address(a: &Address, use_: &str) -> Option<Value> {
    if a.postal_code.trim().is_empty()
        && a.municipality_code.trim().is_empty()
        && a.text.trim().is_empty()
    {
        return None;
    }
    let code = MunicipalityCode::parse(&a.municipality_code).ok();
    let mut v = json!({
        "use": use_,
        "text": text(&a.text),
        "postalCode": text(&a.postal_code),
        "state": code.as_ref().map(|c| c.prefecture()).filter(|s| !s.is_empty()),
        "city": code.as_ref().and_then(city),
        "country": "JP",
    });
    if code.is_none() {
        // A code that does not read is kept as given, never dropped.
        if let Some(raw) = text(&a.municipality_code) {
            v["district"] = raw;
        }
    } else if let Some(c) = &code {
        v["extension"] = json!([{
            "url": format!("{CODE_PREFIX}municipality-code"),
            "valueString": c.code6(),
        }]);
    }
    Some(clean(v))
}

#[cfg(feature = "reference-data")]
fn city(code: &MunicipalityCode) -> Option<&'static str> {
    crate::notification::municipality::municipality(code).map(|m| m.name)
}

#[cfg(not(feature = "reference-data"))]
fn city(_code: &MunicipalityCode) -> Option<&'static str> {
    None
}

fn phone(p: &str, use_: &str) -> Option<Value> {
    text(p).map(|v| json!({"system": "phone", "value": v, "use": use_}))
}

fn patient(r: &ExportRecord<'_>, f: &Form20211129) -> Value {
    let p = &f.patient;
    let mut names = Vec::new();
    names.extend(human_name(&p.name, "IDE"));
    names.extend(human_name(&p.furigana, "SYL"));
    let mut addresses = Vec::new();
    addresses.extend(address(&p.address, "home"));
    let mut telecom = Vec::new();
    telecom.extend(phone(&p.address.phone, "home"));
    // Item 8 (当該者所在地): where the patient is now (empty when the same as 7; written whenever given).
    addresses.extend(address(&p.current_location, "temp"));
    telecom.extend(phone(&p.current_location.phone, "temp"));
    let mut identifier = vec![json!({"system": SYSTEM_RECORD_ID, "value": r.record_id})];
    if let Some(own) = text(r.hc_own_id) {
        identifier.push(json!({"system": SYSTEM_HC_OWN_ID, "value": own}));
    }
    let contact = (!f.guardian.is_empty()).then(|| {
        let g = &f.guardian;
        json!([clean(json!({
            "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                          "code": "GUARD", "display": "guardian"}],
                              "text": "保護者"}],
            "name": human_name(&g.name, "IDE"),
            "telecom": phone(&g.address.phone, "home").map(|t| json!([t])),
            "address": address(&g.address, "home"),
        }))])
    });
    json!({
        "resourceType": "Patient",
        "meta": {"profile": [format!("{JP_CORE}JP_Patient")]},
        "identifier": identifier,
        "name": (!names.is_empty()).then_some(names),
        "telecom": (!telecom.is_empty()).then_some(telecom),
        "gender": p.sex.map(|s| match s { Sex::Male => "male", Sex::Female => "female" }),
        "birthDate": p.date_of_birth.map(date),
        "deceasedDateTime": f.death_date.map(date),
        "address": (!addresses.is_empty()).then_some(addresses),
        "contact": contact,
    })
}

fn practitioner(f: &Form20211129) -> Value {
    json!({
        "resourceType": "Practitioner",
        "meta": {"profile": [format!("{JP_CORE}JP_Practitioner")]},
        "name": human_name(&f.reporter.doctor_name, "IDE").map(|n| json!([n])),
    })
}

fn clinic(r: &ExportRecord<'_>, f: &Form20211129) -> Value {
    let rep = &f.reporter;
    let name = text(&rep.facility_name).or_else(|| text(r.institution_name));
    // The name as registered, where the form gives another.
    let alias = text(r.institution_name).filter(|n| Some(n) != name.as_ref());
    json!({
        "resourceType": "Organization",
        "meta": {"profile": [format!("{JP_CORE}JP_Organization")]},
        "identifier": [{"system": SYSTEM_INSTITUTION_ID, "value": r.institution_id}],
        "name": name,
        "alias": alias.map(|a| json!([a])),
        "telecom": phone(&rep.facility_phone, "work").map(|t| json!([t])),
        "address": text(&rep.facility_address).map(|t| json!([{"use": "work", "text": t}])),
    })
}

fn health_center(r: &ExportRecord<'_>) -> Value {
    let state = r.pref_code.parse::<u8>().ok().and_then(prefecture_name);
    json!({
        "resourceType": "Organization",
        "meta": {"profile": [format!("{JP_CORE}JP_Organization")]},
        "identifier": [{"system": SYSTEM_HEALTH_CENTER_ID, "value": r.health_center_id}],
        "type": [{"text": "保健所"}],
        "name": text(r.health_center_name),
        "address": state.map(|s| json!([{"state": s, "country": "JP"}])),
    })
}

fn category_concept(c: CaseCategory) -> Value {
    concept("case-category", c, c.label(), None)
}

fn condition(
    f: &Form20211129,
    patient: &Value,
    practitioner: &Value,
    tests: &[Value],
    spo2: Option<&Value>,
) -> Value {
    let verification = match f.category {
        Some(CaseCategory::SuspectedPatient | CaseCategory::SuspectedDeceased) => "provisional",
        Some(_) => "confirmed",
        None => "unconfirmed",
    };
    let s = &f.symptoms;
    let mut evidence: Vec<Value> = s
        .present
        .iter()
        .map(|sym: &Symptom| json!({"code": [concept("symptom", *sym, sym.label(), None)]}))
        .collect();
    if let Some(other) = &s.other {
        let label = if other.trim().is_empty() {
            "その他".to_owned()
        } else {
            format!("その他（{other}）")
        };
        evidence.push(json!({"code": [{
            "coding": [local("symptom", "other".into(), "その他")],
            "text": label,
        }]}));
    }
    if s.none {
        evidence.push(json!({"code": [{
            "coding": [local("symptom", "none".into(), "症状なし")],
            "text": "症状なし",
        }]}));
    }
    let mut detail: Vec<Value> = tests.to_vec();
    detail.extend(spo2.cloned());
    if !detail.is_empty() {
        evidence.push(json!({"detail": detail}));
    }
    json!({
        "resourceType": "Condition",
        "meta": {"profile": [format!("{JP_CORE}JP_Condition")]},
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": "active"}]},
        "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                           "code": verification}]},
        "category": f.category.map(|c| json!([category_concept(c)])),
        "severity": f.other.severity.map(|v: Severity| concept("severity", v, v.label(), None)),
        "code": {"coding": [
                    {"system": ICD10, "code": "U07.1", "display": "COVID-19, virus identified"},
                    {"system": SNOMED, "code": "840539006",
                     "display": "Disease caused by severe acute respiratory syndrome coronavirus 2 (disorder)"}],
                 "text": "新型コロナウイルス感染症"},
        "subject": patient,
        "onsetDateTime": f.onset_date.map(date),
        "recordedDate": f.diagnosis_date.map(date),
        "asserter": practitioner,
        "evidence": (!evidence.is_empty()).then_some(evidence),
    })
}

fn specimen(t: &DiagnosticTest, patient: &Value) -> Value {
    let kind = t.specimen.map(|s: Specimen| {
        let label = match (s, text(&t.specimen_other)) {
            (Specimen::Other, Some(_)) => format!("その他（{}）", t.specimen_other),
            _ => s.label().to_owned(),
        };
        json!({"coding": [local("specimen", key(s), s.label())], "text": label})
    });
    json!({
        "resourceType": "Specimen",
        "meta": {"profile": [format!("{JP_CORE}JP_Specimen_Common")]},
        "type": kind,
        "subject": patient,
        "collection": t.specimen_date.map(|d| json!({"collectedDateTime": date(d)})),
        // A specimen text given without その他 ticked is still kept.
        "note": (t.specimen != Some(Specimen::Other))
            .then(|| text(&t.specimen_other))
            .flatten()
            .map(|n| json!([{"text": n}])),
    })
}

fn test(t: &DiagnosticTest, patient: &Value, clinic: &Value, specimen: Option<Value>) -> Value {
    let code = match t.method {
        Some(m) => {
            let (code, display) = method_loinc(m);
            concept(
                "diagnostic-method",
                m,
                m.label(),
                Some(json!({"system": LOINC, "code": code, "display": display})),
            )
        }
        None => json!({"text": "診断方法（未記入）"}),
    };
    let value = t.result.map(|res| {
        concept(
            "test-result",
            res,
            res.label(),
            result_snomed(res).map(|(c, d)| json!({"system": SNOMED, "code": c, "display": d})),
        )
    });
    json!({
        "resourceType": "Observation",
        "meta": {"profile": [format!("{JP_CORE}JP_Observation_LabResult")]},
        "status": if t.result.is_some() { "final" } else { "registered" },
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "laboratory", "display": "Laboratory"}]}],
        "code": code,
        "subject": patient,
        "effectiveDateTime": t.specimen_date.map(date),
        "performer": [clinic],
        "valueCodeableConcept": value,
        "specimen": specimen,
    })
}

fn spo2(percent: u8, patient: &Value, f: &Form20211129) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs", "display": "Vital Signs"}]}],
        "code": {"coding": [
                    {"system": LOINC, "code": "59408-5",
                     "display": "Oxygen saturation in Arterial blood by Pulse oximetry"},
                    {"system": LOINC, "code": "2708-6", "display": "Oxygen saturation in Arterial blood"}],
                 "text": "酸素飽和度（室内気）"},
        "subject": patient,
        // The form records no time of measurement: the diagnosis date is the nearest it states.
        "effectiveDateTime": f.diagnosis_date.map(date),
        "valueQuantity": {"value": percent, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
    })
}

/// One QuestionnaireResponse item with its answers (left out when it has none).
fn item(link_id: &str, label: &str, answers: Vec<Value>) -> Option<Value> {
    (!answers.is_empty()).then(|| json!({"linkId": link_id, "text": label, "answer": answers}))
}

fn group(link_id: &str, label: &str, items: Vec<Value>) -> Option<Value> {
    (!items.is_empty()).then(|| json!({"linkId": link_id, "text": label, "item": items}))
}

fn a_string(s: &str) -> Vec<Value> {
    text(s)
        .map(|v| json!({"valueString": v}))
        .into_iter()
        .collect()
}

fn a_date(d: Option<NaiveDate>) -> Vec<Value> {
    d.map(|d| json!({"valueDate": date(d)}))
        .into_iter()
        .collect()
}

fn a_bool(b: bool) -> Vec<Value> {
    if b {
        vec![json!({"valueBoolean": true})]
    } else {
        Vec::new()
    }
}

fn a_int(n: Option<u64>) -> Vec<Value> {
    n.map(|n| json!({"valueInteger": n})).into_iter().collect()
}

fn a_coding<T: serde::Serialize + Copy>(
    system: &str,
    o: Option<T>,
    label: fn(T) -> &'static str,
) -> Vec<Value> {
    o.map(|o| json!({"valueCoding": local(system, key(o), label(o))}))
        .into_iter()
        .collect()
}

fn yes_no(link_id: &str, label: &str, v: Option<YesNo>) -> Option<Value> {
    item(link_id, label, a_coding("yes-no", v, YesNo::label))
}

/// A ticked choice with its optional text (`Some("")`: ticked, no detail): `<id>` true and `<id>-detail`.
fn ticked(out: &mut Vec<Value>, link_id: &str, label: &str, v: &Option<String>) {
    if let Some(detail) = v {
        out.extend(item(link_id, label, a_bool(true)));
        out.extend(item(&format!("{link_id}-detail"), label, a_string(detail)));
    }
}

fn dose(n: usize, d: &VaccineDose) -> Option<Value> {
    let id = |s: &str| format!("vaccination.dose-{n}.{s}");
    let items: Vec<Value> = [
        item(
            &id("status"),
            "接種の有無",
            a_coding("vaccination-status", d.status, VaccinationStatus::label),
        ),
        item(
            &id("age"),
            "接種時の年齢（歳）",
            a_int(d.age.map(u64::from)),
        ),
        item(
            &id("vaccine-type"),
            "ワクチンの種類",
            a_string(&d.vaccine_type),
        ),
        item(&id("manufacturer"), "製造会社", a_string(&d.manufacturer)),
        item(
            &id("vaccine-unknown"),
            "ワクチンの種類・製造会社不明",
            a_bool(d.vaccine_unknown),
        ),
        item(&id("date"), "接種年月日", a_date(d.date)),
        item(
            &id("date-unknown"),
            "接種年月日不明",
            a_bool(d.date_unknown),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    group(&format!("vaccination.dose-{n}"), &format!("{n}回目"), items)
}

/// Every item of the form that has no FHIR element of its own (docs/EXPORTS.md lists the linkIds).
fn questionnaire_items(r: &ExportRecord<'_>, f: &Form20211129) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    out.extend(item(
        "form-version",
        "様式",
        a_string(r.notification.version().as_str()),
    ));
    out.extend(item("report-date", "報告年月日", a_date(f.report_date)));
    out.extend(item(
        "category",
        "1 類型",
        a_coding("case-category", f.category, CaseCategory::label),
    ));
    let groups: Vec<Value> = f
        .target_groups
        .ticked()
        .into_iter()
        .map(|g| {
            json!({"valueCoding": local("target-group", g.key().into(),
                                        &format!("{}{}", g.number(), g.label()))})
        })
        .collect();
    out.extend(item("target-groups", "届出の対象", groups));
    let p = &f.patient;
    if let Some(age) = p.age_at_diagnosis {
        let items: Vec<Value> = [
            item(
                "age-at-diagnosis.years",
                "歳",
                a_int(Some(u64::from(age.years))),
            ),
            item(
                "age-at-diagnosis.months",
                "か月",
                a_int(age.months.map(u64::from)),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.extend(group("age-at-diagnosis", "5 診断時の年齢", items));
    }
    out.extend(item("occupation", "6 当該者職業", a_string(&p.occupation)));
    out.extend(item(
        "current-location-same-as-address",
        "8 当該者所在地は住所と同様",
        a_bool(p.current_location_same_as_address),
    ));
    out.extend(item(
        "first-visit-date",
        "13 初診年月日",
        a_date(f.first_visit_date),
    ));
    out.extend(item(
        "infection-date",
        "15 感染したと推定される年月日",
        a_date(f.infection_date),
    ));
    out.extend(item("death-date", "17 死亡年月日", a_date(f.death_date)));

    let route = &f.infection.route;
    let mut ri = Vec::new();
    ri.extend(item(
        "infection-route.certainty",
        "確定・推定",
        a_coding("certainty", route.certainty, Certainty::label),
    ));
    ticked(
        &mut ri,
        "infection-route.droplet",
        "飛沫・飛沫核感染",
        &route.droplet,
    );
    ticked(
        &mut ri,
        "infection-route.contact",
        "接触感染",
        &route.contact,
    );
    ticked(&mut ri, "infection-route.other", "その他", &route.other);
    out.extend(group("infection-route", "18① 感染原因・感染経路", ri));

    let area = &f.infection.area;
    let mut ai = Vec::new();
    ai.extend(item(
        "infection-area.certainty",
        "確定・推定",
        a_coding("certainty", area.certainty, Certainty::label),
    ));
    for d in &area.domestic {
        let items: Vec<Value> = [
            item(
                "infection-area.domestic.prefecture",
                "都道府県",
                a_string(&d.prefecture),
            ),
            item(
                "infection-area.domestic.municipality",
                "市区町村",
                a_string(&d.municipality),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        ai.extend(group("infection-area.domestic", "日本国内", items));
    }
    for d in &area.abroad {
        let items: Vec<Value> = [
            item("infection-area.abroad.country", "国", a_string(&d.country)),
            item(
                "infection-area.abroad.detail",
                "詳細地域",
                a_string(&d.detail),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        ai.extend(group("infection-area.abroad", "国外", items));
    }
    ai.extend(item(
        "infection-area.departure-date",
        "出国日",
        a_date(area.departure_date),
    ));
    ai.extend(item(
        "infection-area.entry-date",
        "入国日",
        a_date(area.entry_date),
    ));
    out.extend(group("infection-area", "18② 感染地域", ai));

    let doses: Vec<Value> = f
        .vaccination
        .iter()
        .enumerate()
        .filter_map(|(i, d)| dose(i + 1, d))
        .collect();
    out.extend(group("vaccination", "18③ ワクチン接種歴", doses));

    let o = &f.other;
    let mut oi = Vec::new();
    oi.extend(yes_no(
        "other.hospitalised",
        "届出時点の入院の有無",
        o.hospitalised,
    ));
    oi.extend(yes_no(
        "other.risk-factors-present",
        "重症化のリスク因子となる疾患等の有無",
        o.risk_factors_present,
    ));
    let factors: Vec<Value> = o
        .risk_factors
        .iter()
        .map(|f: &RiskFactor| json!({"valueCoding": local("risk-factor", key(*f), f.label())}))
        .collect();
    oi.extend(item("other.risk-factors", "リスク因子", factors));
    ticked(
        &mut oi,
        "other.risk-factor-other",
        "その他のリスク因子",
        &o.risk_factor_other,
    );
    oi.extend(yes_no(
        "other.immunocompromised",
        "免疫の機能が低下しているおそれの有無",
        o.immunocompromised,
    ));
    oi.extend(yes_no("other.pregnant", "妊娠の有無", o.pregnant));
    oi.extend(yes_no(
        "other.admission-needed",
        "入院の必要性の有無",
        o.admission_needed,
    ));
    oi.extend(yes_no(
        "other.telemedicine",
        "電話や情報通信機器を用いた診療の有無",
        o.telemedicine,
    ));
    out.extend(group("other", "19 その他", oi));
    out
}

#[cfg(test)]
mod tests;
