// Notification fixtures for API and browser tests.

/** Today in Japan (the edge validates against JST). */
export function jstToday() {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** A complete confirmed case with every recommended item filled, so it files with no warnings. */
export function confirmedCase(overrides = {}) {
  const today = jstToday();
  const n = {
    version: "2021-11-29",
    report_date: today,
    reporter: {
      doctor_name: "新宿 一郎", facility_name: "新宿みなみクリニック",
      facility_address: "東京都新宿区西新宿二丁目8番1号", facility_phone: "03-0000-0001",
    },
    category: "confirmed_patient",
    patient: {
      name: "山田 太郎", furigana: "ヤマダ タロウ", sex: "male", date_of_birth: "1980-01-15", occupation: "会社員",
      address: { postal_code: "1600023", municipality_code: "131041", text: "東京都新宿区西新宿二丁目8番1号", phone: "090-1234-5678" },
      current_location_same_as_address: true,
    },
    symptoms: { present: ["fever", "cough"] },
    tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: today, result: "positive" }],
    first_visit_date: today,
    diagnosis_date: today,
    onset_date: today,
    vaccination: [{ status: "unknown" }, {}, {}],
    other: {
      hospitalised: "no", risk_factors_present: "no", immunocompromised: "no", pregnant: "no", severity: "mild",
      admission_needed: "no", telemedicine: "no",
    },
  };
  return deepMerge(n, overrides);
}

function deepMerge(a, b) {
  if (b === null || typeof b !== "object" || Array.isArray(b)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out && out[k] && typeof out[k] === "object" && !Array.isArray(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

let keys = 0;
/** A fresh idempotency key (16–64 characters of [A-Za-z0-9_-]). */
export function freshKey() {
  keys += 1;
  return `test-${process.pid}-${Date.now()}-${keys}`.padEnd(24, "x");
}
