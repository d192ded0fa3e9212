// Demo patient records for `cargo xtask dev` (not for tests, which make their own): notifications filed by the
// three demo clinics (two in 東京都, one in 神奈川県) over the last weeks, each with its patient record, status record and history, a few with tabs
// filled, and two persons registered before a notification (manual 4.5). Ids are fixed and every INSERT is
// OR IGNORE, so seeding twice changes nothing. Names are invented. Each record carries its number across shards
// (`seq` of its case and notification, equal to its routing entry's in the core: edge/migrations/0700_shards.sql);
// `recordsSql` answers the statements by prefecture (demo.mjs sends them to the prefecture's shard) and the routes.

const FAMILY = [["佐藤", "サトウ"], ["鈴木", "スズキ"], ["高橋", "タカハシ"], ["田中", "タナカ"], ["伊藤", "イトウ"],
  ["渡辺", "ワタナベ"], ["山本", "ヤマモト"], ["中村", "ナカムラ"], ["小林", "コバヤシ"], ["加藤", "カトウ"],
  ["吉田", "ヨシダ"], ["山田", "ヤマダ"], ["佐々木", "ササキ"], ["山口", "ヤマグチ"], ["松本", "マツモト"]];
const GIVEN = [["太郎", "タロウ", "male"], ["花子", "ハナコ", "female"], ["健", "ケン", "male"], ["美咲", "ミサキ", "female"],
  ["翔太", "ショウタ", "male"], ["陽菜", "ヒナ", "female"], ["大輔", "ダイスケ", "male"], ["由美", "ユミ", "female"]];
// A course through the status record for each demo record (snake_case CaseStatus).
const COURSES = [
  ["result_reported"],
  ["result_reported", "waiting_low"],
  ["result_reported", "waiting_high", "admitted"],
  ["result_reported", "admitted", "became_severe"],
  ["result_reported", "admitted", "became_severe", "no_longer_severe", "discharged"],
  ["result_reported", "released"],
  ["result_reported", "admitted", "died"],
  ["result_reported", "contact_observation"],
];

const q = (v) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);

/** スマホ入力ID: 9 digits + Luhn check digit (shared/src/case/mod.rs `smartphone_id`). */
function smartphoneId(n) {
  const body = String(n).padStart(9, "0");
  const sum = [...body].reverse().reduce((s, ch, i) => {
    const d = Number(ch);
    return s + (i % 2 === 0 ? Math.floor((d * 2) / 10) + ((d * 2) % 10) : d);
  }, 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const MUNICIPALITY = {
  HC13104: ["131041", "新宿区", "1600023", "東京都新宿区西新宿二丁目8番1号"],
  HC13112: ["131121", "世田谷区", "1540017", "東京都世田谷区世田谷四丁目21番27号"],
  HC14101: ["141046", "横浜市中区", "2310017", "神奈川県横浜市中区港町一丁目1番地"],
};

/** `{ byPref: { "13": [statements], "14": […] }, routes: [{ seq, id, pref, at }] }`. */
export function recordsSql(now = Date.now()) {
  const byPref = {};
  const routes = [];
  let lines;
  const record = (seq, id, pref, at) => {
    routes.push({ seq, id, pref, at });
    lines = byPref[pref] ??= [];
  };
  const day = 86_400_000;
  const jst = (ms) => new Date(ms + 9 * 3600_000).toISOString().slice(0, 10);
  const clinics = [
    { inst: "inst_demo_shinjuku", hc: "HC13104", user: "u_demo_doctor_shinjuku", hcUser: "u_demo_hc_staff_shinjuku", doctor: "新宿 一郎", facility: "新宿みなみクリニック", address: "東京都新宿区西新宿二丁目8番1号", phone: "03-0000-0001", count: 30, pref: "13", hospital: "都立新宿病院" },
    { inst: "inst_demo_setagaya", hc: "HC13112", user: "u_demo_doctor_setagaya", hcUser: "u_demo_hc_staff_setagaya", doctor: "世田谷 次郎", facility: "世田谷さくら医院", address: "東京都世田谷区世田谷四丁目21番27号", phone: "03-0000-0002", count: 10, pref: "13", hospital: "都立新宿病院" },
    { inst: "inst_demo_yokohama", hc: "HC14101", user: "u_demo_doctor_yokohama", hcUser: "u_demo_hc_staff_yokohama", doctor: "横浜 十和", facility: "横浜みなとクリニック", address: "神奈川県横浜市中区港町一丁目1番地", phone: "045-000-0003", count: YOKOHAMA_COUNT, pref: "14", hospital: "横浜市立みなと赤十字病院" },
  ];
  let k = 0;
  for (const c of clinics) {
    for (let i = 0; i < c.count; i++, k++) {
      const id = `n_demo_${String(k + 1).padStart(3, "0")}`;
      const seq = k + 1;
      const [fam, famKana] = FAMILY[k % FAMILY.length];
      const [giv, givKana, sex] = GIVEN[(k * 3) % GIVEN.length];
      const name = `${fam} ${giv}`;
      const furigana = `${famKana}　${givKana}`;
      const filedAt = now - (i * 23 + 5) * 3600_000 - k * 60_000;
      const diag = jst(filedAt);
      const dob = `${1940 + ((k * 7) % 75)}-${String((k % 12) + 1).padStart(2, "0")}-${String((k % 27) + 1).padStart(2, "0")}`;
      const phone = `090-${String(1000 + k).padStart(4, "0")}-${String(5000 + k * 7).padStart(4, "0")}`;
      const [muni, muniName, postal, addressText] = MUNICIPALITY[c.hc];
      const body = {
        version: "2021-11-29", report_date: diag,
        reporter: { doctor_name: c.doctor, facility_name: c.facility, facility_address: c.address, facility_phone: c.phone },
        category: k % 9 === 4 ? "asymptomatic_carrier" : "confirmed_patient",
        patient: {
          name, furigana, sex, date_of_birth: dob, occupation: "会社員",
          address: { postal_code: postal, municipality_code: muni, text: addressText, phone },
          current_location_same_as_address: true,
        },
        symptoms: { present: ["fever", "cough"] },
        tests: [{ method: "nucleic_acid", specimen: "nasopharyngeal_swab", specimen_date: diag, result: "positive" }],
        first_visit_date: diag, diagnosis_date: diag, onset_date: diag,
        vaccination: [{ status: "unknown" }, {}, {}],
        other: { hospitalised: "no", risk_factors_present: "no", immunocompromised: "no", pregnant: "no", severity: "mild", admission_needed: "no", telemedicine: "no" },
      };
      if (body.category !== "confirmed_patient") delete body.onset_date;
      const course = COURSES[k % COURSES.length];
      const status = course.at(-1);
      const idTab = { name, furigana, date_of_birth: dob, sex: sex === "male" ? "男" : "女", postal_code: postal, address: addressText, phone1: phone };
      const tabs = { id: idTab };
      if (k % 3 === 0) tabs.basic = { insurer: "全国健康保険協会", smoking: "無", household: ["高齢者"] };
      if (status === "admitted" || status === "became_severe" || status === "discharged") {
        tabs.medical = { admission_date: diag, hospital: c.hospital, xray: "有", xray_findings: "両側すりガラス影" };
      }
      const reason = `診断した医療機関（${c.facility}）の所在地を管轄する保健所へ届出（感染症法第12条）。`;
      const received = i % 4 === 0 ? null : filedAt + 3600_000;
      record(seq, id, c.pref, filedAt);
      lines.push(`INSERT OR IGNORE INTO notifications (seq, id, form_version, body, category, patient_name, furigana_key, date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason, received_at, received_by_user_id) VALUES (${seq}, ${q(id)}, '2021-11-29', ${q(JSON.stringify(body))}, ${q(body.category)}, ${q(name)}, ${q(famKana + givKana)}, ${q(dob)}, ${q(phone.replaceAll("-", ""))}, ${q(c.inst)}, ${q(c.user)}, ${filedAt}, ${q(c.pref)}, ${q(c.hc)}, ${q(reason)}, ${q(received)}, ${q(received ? c.hcUser : null)});`);
      lines.push(`INSERT INTO notification_events (notification_id, kind, at, health_center_id, actor_user_id, reason) SELECT ${q(id)}, 'routed', ${filedAt}, ${q(c.hc)}, ${q(c.user)}, ${q(reason)} WHERE NOT EXISTS (SELECT 1 FROM notification_events WHERE notification_id = ${q(id)});`);
      const version = 1 + (course.length - 1) + (tabs.basic ? 1 : 0) + (tabs.medical ? 1 : 0);
      lines.push(`INSERT OR IGNORE INTO cases (seq, id, smartphone_id, institution_id, health_center_id, pref_code, name, name_key, furigana, furigana_key, date_of_birth, phone_digits, sex, category, status, diagnosed_on, onset_on, residence, filed_at, filed, created_at, created_by_user_id, updated_at, updated_by_user_id, version, tabs) VALUES (${seq}, ${q(id)}, ${q(smartphoneId(700000000 + k * 7919))}, ${q(c.inst)}, ${q(c.hc)}, ${q(c.pref)}, ${q(name)}, ${q(fam + giv)}, ${q(furigana)}, ${q(famKana + givKana)}, ${q(dob)}, ${q(phone.replaceAll("-", ""))}, ${q(idTab.sex)}, ${q(body.category)}, ${q(status)}, ${q(diag)}, ${q(body.onset_date ?? null)}, ${q(muniName)}, ${filedAt}, 1, ${filedAt}, ${q(c.user)}, ${filedAt + course.length * 3600_000}, ${q(course.length > 1 ? c.hcUser : c.user)}, ${version}, ${q(JSON.stringify(tabs))});`);
      // History and status record, once.
      const versions = [[1, "file", "発生届を提出", filedAt, c.user]];
      course.slice(1).forEach((s, j) => versions.push([versions.length + 1, "status", `ステータス: ${STATUS_LABELS[s]}`, filedAt + (j + 1) * 3600_000, c.hcUser]));
      if (tabs.basic) versions.push([versions.length + 1, "basic", "基礎情報: 医療保険証 保険者、同居、喫煙", filedAt + 2 * day / 24, c.hcUser]);
      if (tabs.medical) versions.push([versions.length + 1, "medical", "医療: 胸部X線、胸部X線 所見、入院日付、病院名", filedAt + 3 * day / 24, c.hcUser]);
      course.forEach((st, j) => {
        const at = filedAt + j * 3600_000;
        const place = st === "admitted" ? "hospital" : st === "waiting_low" || st === "waiting_high" ? "home" : null;
        lines.push(`INSERT INTO case_status (case_id, status, date, place, at, by_user_id) SELECT ${q(id)}, ${q(st)}, ${q(jst(filedAt + j * day))}, ${q(place)}, ${at}, ${q(j === 0 ? c.user : c.hcUser)} WHERE (SELECT COUNT(*) FROM case_status WHERE case_id = ${q(id)}) = ${j};`);
      });
      for (const v of versions) {
        lines.push(`INSERT OR IGNORE INTO case_versions (case_id, version, part, what, at, by_user_id) VALUES (${q(id)}, ${v[0]}, ${q(v[1])}, ${q(v[2])}, ${v[3]}, ${q(v[4])});`);
      }
    }
  }
  // Two persons registered before a notification, one with a pending test.
  const pre = [
    { id: "n_demo_pre_1", name: "木村 拓也", kana: "キムラ　タクヤ", key: "キムラタクヤ", tests: { tests: [{ specimen_date: jst(now - day), outpatient_institution: "新宿みなみクリニック", result: "その他", method1: "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出", specimen1: "唾液" }] } },
    { id: "n_demo_pre_2", name: "林 さくら", kana: "ハヤシ　サクラ", key: "ハヤシサクラ", tests: null },
  ];
  pre.forEach((p, j) => {
    const at = now - (j + 1) * 2 * 3600_000;
    const seq = k + 1 + j;
    record(seq, p.id, "13", at);
    const tabs = { id: { name: p.name, furigana: p.kana } };
    if (p.tests) tabs.tests = p.tests;
    lines.push(`INSERT OR IGNORE INTO cases (seq, id, smartphone_id, institution_id, health_center_id, pref_code, name, name_key, furigana, furigana_key, status, filed_at, filed, created_at, created_by_user_id, updated_at, updated_by_user_id, version, tabs) VALUES (${seq}, ${q(p.id)}, ${q(smartphoneId(800000000 + j * 104729))}, 'inst_demo_shinjuku', 'HC13104', '13', ${q(p.name)}, ${q(p.name.replace(" ", ""))}, ${q(p.kana)}, ${q(p.key)}, ${q(p.tests ? "specimen_collected" : null)}, ${at}, 0, ${at}, 'u_demo_doctor_shinjuku', ${at}, 'u_demo_doctor_shinjuku', ${p.tests ? 2 : 1}, ${q(JSON.stringify(tabs))});`);
    lines.push(`INSERT OR IGNORE INTO case_versions (case_id, version, part, what, at, by_user_id) VALUES (${q(p.id)}, 1, 'create', 'ID管理情報を登録', ${at}, 'u_demo_doctor_shinjuku');`);
    if (p.tests) lines.push(`INSERT OR IGNORE INTO case_versions (case_id, version, part, what, at, by_user_id) VALUES (${q(p.id)}, 2, 'tests', '検査: 検査記録', ${at + 60_000}, 'u_demo_doctor_shinjuku');`);
    if (p.tests) {
      lines.push(`INSERT INTO case_status (case_id, status, date, at, by_user_id) SELECT ${q(p.id)}, 'specimen_collected', ${q(jst(now - day))}, ${at + 60_000}, 'u_demo_doctor_shinjuku' WHERE NOT EXISTS (SELECT 1 FROM case_status WHERE case_id = ${q(p.id)});`);
    }
  });
  byPref["13"].push(...observationSql(now));
  return { byPref, routes };
}

/** The demo record numbers `k` (0-based, Shinjuku) given a health observation: two patients, and a contact who
 * reports through the second patient's phone (同居者). The oldest Shinjuku records, so tests that take the newest
 * records for themselves never meet them. */
const OBSERVED = { patient: 25, holder: 26, member: 27 };
const recordId = (k) => `n_demo_${String(k + 1).padStart(3, "0")}`;
const dobOf = (k) => `${1940 + ((k * 7) % 75)}-${String((k % 12) + 1).padStart(2, "0")}-${String((k % 27) + 1).padStart(2, "0")}`;

/** The phone sign-in of the demo household (printed by `cargo xtask dev`). */
export function demoPhone() {
  const k = OBSERVED.holder;
  return { smartphoneId: smartphoneId(700000000 + k * 7919), dateOfBirth: dobOf(k) };
}

const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
const CONTACT_KEYS = ["cough", "sore_throat", "dyspnea", "fatigue"];

/** Observations begun three days ago with their morning and evening reports so far; one patient's SpO₂ fell
 * yesterday evening (alerts), the contact had a cough. Missed slots are raised by the worker's sweep, not here. */
function observationSql(now) {
  const day = 86_400_000;
  const jst = (ms) => new Date(ms + 9 * 3600_000).toISOString().slice(0, 10);
  const lines = [];
  const start = jst(now - 3 * day);
  const obs = [
    [OBSERVED.patient, "patient", null, 10],
    [OBSERVED.holder, "patient", null, 10],
    [OBSERVED.member, "contact", recordId(OBSERVED.holder), 14],
  ];
  for (const [k, kind, household, days] of obs) {
    const id = recordId(k);
    lines.push(`INSERT OR IGNORE INTO observations (case_id, health_center_id, kind, started_on, ends_on, household_of, updated_at, updated_by_user_id) VALUES (${q(id)}, 'HC13104', ${q(kind)}, ${q(start)}, ${q(jst(now + (days - 4) * day))}, ${q(household)}, ${now - 3 * day}, 'u_demo_hc_staff_shinjuku');`);
    const keys = kind === "patient" ? PATIENT_KEYS : CONTACT_KEYS;
    for (let d = 3; d >= 1; d--) {
      for (const [slot, hour] of [["morning", 8], ["evening", 18]]) {
        const date = jst(now - d * day);
        const at = Date.parse(`${date}T${String(hour).padStart(2, "0")}:15:00+09:00`);
        const answers = Object.fromEntries(keys.map((key) => [key, "no"]));
        let temp = 366 + ((k + d) % 4);
        let spo2 = 97;
        const fall = k === OBSERVED.patient && d === 1 && slot === "evening";
        if (fall) {
          Object.assign(answers, { dyspnea: "yes", fatigue: "yes", cough: "unknown" });
          temp = 388;
          spo2 = 92;
        }
        const cough = kind === "contact" && d === 1;
        if (cough) answers.cough = "yes";
        const rid = `r_demo_${k}_${d}_${slot}`;
        lines.push(`INSERT OR IGNORE INTO observation_reports (id, case_id, client_id, kind, date, slot, temperature_tenths, spo2, answers, reported_at) VALUES (${q(rid)}, ${q(id)}, ${q(`demo-${k}-${d}-${slot}`)}, ${q(kind)}, ${q(date)}, ${q(slot)}, ${temp}, ${kind === "patient" ? spo2 : "NULL"}, ${q(JSON.stringify(answers))}, ${at});`);
        const alerts = fall
          ? [["spo2_low", 3, "SpO₂ 92%"], ["dyspnea", 3, ""], ["high_fever", 1, "体温 38.8℃"]]
          : cough ? [["contact_symptom", 1, "咳・鼻水"]] : [];
        for (const [rule, urgency, detail] of alerts) {
          lines.push(`INSERT OR IGNORE INTO observation_alerts (id, case_id, health_center_id, rule, urgency, report_id, date, slot, detail, raised_at) VALUES (${q(`a_demo_${k}_${d}_${slot}_${rule}`)}, ${q(id)}, 'HC13104', ${q(rule)}, ${urgency}, ${q(rid)}, ${q(date)}, ${q(slot)}, ${q(detail)}, ${at + 1000});`);
        }
      }
    }
  }
  return lines;
}

const STATUS_LABELS = {
  specimen_collected: "検体採取", result_reported: "検査結果報告", contact_observation: "健康観察（接触者）",
  waiting_low: "入院待機（優先度低）", waiting_high: "入院待機（優先度高）", admitted: "入院", became_severe: "重症化した",
  no_longer_severe: "重症化を脱した", discharged: "退院", released: "待機解除連絡", died: "死亡",
};

/** Records of the 神奈川県 clinic (in the shard SHARD_KANAGAWA). */
const YOKOHAMA_COUNT = 6;
export const DEMO_RECORD_COUNT = 42 + YOKOHAMA_COUNT;
