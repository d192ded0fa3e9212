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

/** A date `offsetDays` from today in Japan (negative: past), ISO `YYYY-MM-DD`. */
export function jstDate(offsetDays = 0) {
  return new Date(Date.now() + 9 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** The JIS municipality check digit of a 5-digit code (shared/src/notification/municipality.rs `check_digit`). */
export function municipalityCode(code5) {
  const sum = [...code5].reduce((s, d, i) => s + Number(d) * (6 - i), 0);
  return `${code5}${(11 - (sum % 11)) % 10}`;
}

/** Patient addresses by ward, for routing: `confirmedCase({ patient: { address: RESIDENCES.setagaya } })`. */
export const RESIDENCES = {
  /** 新宿区 → 新宿区保健所 (HC13104), the demo Shinjuku clinic's own health center. */
  shinjuku: { postal_code: "1600023", municipality_code: municipalityCode("13104"), text: "東京都新宿区西新宿二丁目8番1号", phone: "090-1234-5678" },
  /** 世田谷区 → 世田谷保健所 (HC13112). */
  setagaya: { postal_code: "1540017", municipality_code: municipalityCode("13112"), text: "東京都世田谷区世田谷四丁目21番27号", phone: "03-5432-1111" },
  /** 横須賀市 (神奈川県) → 横須賀市保健所 (HC14201): another prefecture, not in the demo seed. */
  yokosuka: { postal_code: "2380000", municipality_code: municipalityCode("14201"), text: "神奈川県横須賀市小川町11番地", phone: "046-822-4000" },
  /** 千代田区 → 千代田保健所 (HC13101), not in the demo seed. */
  chiyoda: { postal_code: "1000014", municipality_code: municipalityCode("13101"), text: "東京都千代田区永田町一丁目7番1号", phone: "03-3581-5111" },
};

/**
 * A complete confirmed case for another patient: name, furigana (katakana), date of birth and phone replaced, the
 * rest as `confirmedCase`. `extra` is merged last.
 */
export function patientCase({ name, furigana, date_of_birth = "1980-01-15", phone, residence = "shinjuku" } = {}, extra = {}) {
  const address = { ...RESIDENCES[residence] };
  if (phone !== undefined) address.phone = phone;
  const patient = { address };
  if (name !== undefined) patient.name = name;
  if (furigana !== undefined) patient.furigana = furigana;
  patient.date_of_birth = date_of_birth;
  return confirmedCase(deepMerge({ patient }, extra));
}
