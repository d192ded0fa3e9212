// Demo data for `cargo xtask dev` and the tests: 東京都 with two health centers, a clinic in each and a user of every
// role, and 神奈川県 with one health center, a clinic and its users (so that the nation's views span two prefectures
// and two shards), all with a known demo password. Demo only: never part of a deployed configuration.
//
// The directory goes into the core database (`DB`); every shard gets a copy of the health centers, institutions
// and users (without password hashes, as the worker's own copies: edge/src/store/shards.rs) that its records refer
// to. Records (records.mjs) go into the shard of their prefecture, each with its routing entry in the core.
//
//   node edge/seed/demo.mjs [--persist-to DIR]   seed the local databases (idempotent)
//   node edge/seed/demo.mjs --print              print the demo sign-ins
//
// Health-center ids and names come from the project's reference data (health_centers.csv, derived from the
// SurveillanceForEI/EI1 crosswalk; see its README for provenance and caveats).
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CORE, recordDatabases, shardFor, shardMap, shardsVar } from "./databases.mjs";

export const DEMO_PASSWORD = "Demo-Hersys-2026";

export const HEALTH_CENTERS = [
  { id: "HC13104", name: "新宿区保健所", pref_code: "13", prefecture: "東京都", email: "notice@hc13104.her-sys.example",
    postal_code: "1600022", address: "東京都新宿区新宿5-18-21（デモ）", phone: "03-5555-0104" },
  { id: "HC13112", name: "世田谷保健所", pref_code: "13", prefecture: "東京都", email: "notice@hc13112.her-sys.example",
    postal_code: "1540017", address: "東京都世田谷区世田谷4-22-35（デモ）", phone: "03-5555-0112" },
  { id: "HC14101", name: "横浜市保健所", pref_code: "14", prefecture: "神奈川県", email: "notice@hc14101.her-sys.example",
    postal_code: "2310021", address: "神奈川県横浜市中区日本大通18（デモ）", phone: "045-555-0101" },
];

export const INSTITUTIONS = [
  { id: "inst_demo_shinjuku", name: "新宿みなみクリニック", health_center_id: "HC13104", pref_code: "13",
    address: "東京都新宿区西新宿二丁目8番1号", phone: "03-0000-0001" },
  { id: "inst_demo_setagaya", name: "世田谷きたクリニック", health_center_id: "HC13112", pref_code: "13",
    address: "東京都世田谷区世田谷四丁目21番27号", phone: "03-0000-0002" },
  { id: "inst_demo_yokohama", name: "横浜みなとクリニック", health_center_id: "HC14101", pref_code: "14",
    address: "神奈川県横浜市中区港町一丁目1番地", phone: "045-000-0003" },
];

export const USERS = [
  { id: "u_demo_doctor_shinjuku", login_id: "doctor@shinjuku-clinic.demo", display_name: "新宿 一郎", role: "clinic_doctor", institution_id: "inst_demo_shinjuku", health_center_id: "HC13104", pref_code: "13" },
  { id: "u_demo_staff_shinjuku", login_id: "staff@shinjuku-clinic.demo", display_name: "新宿 花子", role: "clinic_staff", institution_id: "inst_demo_shinjuku", health_center_id: "HC13104", pref_code: "13" },
  { id: "u_demo_doctor_setagaya", login_id: "doctor@setagaya-clinic.demo", display_name: "世田谷 次郎", role: "clinic_doctor", institution_id: "inst_demo_setagaya", health_center_id: "HC13112", pref_code: "13" },
  { id: "u_demo_hc_staff_shinjuku", login_id: "staff@shinjuku-hc.demo", display_name: "保健 三郎", role: "health_center_staff", institution_id: null, health_center_id: "HC13104", pref_code: "13" },
  { id: "u_demo_hc_admin_shinjuku", login_id: "admin@shinjuku-hc.demo", display_name: "管理 四郎", role: "health_center_admin", institution_id: null, health_center_id: "HC13104", pref_code: "13" },
  { id: "u_demo_hc_staff_setagaya", login_id: "staff@setagaya-hc.demo", display_name: "保健 五月", role: "health_center_staff", institution_id: null, health_center_id: "HC13112", pref_code: "13" },
  { id: "u_demo_hc_admin_setagaya", login_id: "admin@setagaya-hc.demo", display_name: "管理 六子", role: "health_center_admin", institution_id: null, health_center_id: "HC13112", pref_code: "13" },
  { id: "u_demo_pref_tokyo", login_id: "pref@tokyo.demo", display_name: "東京 七海", role: "prefecture_staff", institution_id: null, health_center_id: null, pref_code: "13" },
  { id: "u_demo_followup_tokyo", login_id: "followup@tokyo.demo", display_name: "支援 九重", role: "follow_up_center", institution_id: null, health_center_id: null, pref_code: "13" },
  { id: "u_demo_mhlw", login_id: "mhlw@national.demo", display_name: "厚労 八郎", role: "national_staff", institution_id: null, health_center_id: null, pref_code: null },
  // 神奈川県 (its records live in the shard SHARD_KANAGAWA).
  { id: "u_demo_doctor_yokohama", login_id: "doctor@yokohama-clinic.demo", display_name: "横浜 十和", role: "clinic_doctor", institution_id: "inst_demo_yokohama", health_center_id: "HC14101", pref_code: "14" },
  { id: "u_demo_hc_staff_yokohama", login_id: "staff@yokohama-hc.demo", display_name: "保健 港", role: "health_center_staff", institution_id: null, health_center_id: "HC14101", pref_code: "14" },
  { id: "u_demo_hc_admin_yokohama", login_id: "admin@yokohama-hc.demo", display_name: "管理 湊", role: "health_center_admin", institution_id: null, health_center_id: "HC14101", pref_code: "14" },
  { id: "u_demo_pref_kanagawa", login_id: "pref@kanagawa.demo", display_name: "神奈川 汐里", role: "prefecture_staff", institution_id: null, health_center_id: null, pref_code: "14" },
];

// Each clinic's doctor list (医師の氏名 is picked from it on the form).
export const DOCTORS = [
  { id: "d_demo_shinjuku_1", institution_id: "inst_demo_shinjuku", name: "新宿 一郎" },
  { id: "d_demo_shinjuku_2", institution_id: "inst_demo_shinjuku", name: "西 新太" },
  { id: "d_demo_setagaya_1", institution_id: "inst_demo_setagaya", name: "世田谷 次郎" },
  { id: "d_demo_yokohama_1", institution_id: "inst_demo_yokohama", name: "横浜 十和" },
];

/** Every account has an address (a reset's one-time link goes there): `<login part>.<domain part>@her-sys.example`
 * (e.g. `admin.shinjuku-hc@her-sys.example`), so that two demo users with the same login part differ. */
export const demoEmail = (u) => {
  const [local, domain] = u.login_id.split("@");
  return `${local}.${domain.replace(/\.demo$/, "")}@her-sys.example`;
};

const b64url = (buf) => buf.toString("base64url");

/** The edge's stored password format: pbkdf2-sha256$<iterations>$<salt>$<hash>. */
export function hashPassword(password, iterations = 100_000) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${b64url(salt)}$${b64url(hash)}`;
}

const q = (v) => (v === null || v === undefined ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);

/** The directory as SQL. `copy`: a shard's copy (no doctors, accounts without their password hash). */
export function demoSql({ copy = false } = {}) {
  const now = Date.now();
  const lines = [];
  for (const h of HEALTH_CENTERS) {
    lines.push(`INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture, email) VALUES (${q(h.id)}, ${q(h.name)}, ${q(h.pref_code)}, ${q(h.prefecture)}, ${q(h.email)});`);
    // A local store seeded before the notice e-mails existed gets the demo address too.
    lines.push(`UPDATE health_centers SET email = ${q(h.email)} WHERE id = ${q(h.id)} AND email = '';`);
    // The directory's contact details (issue 23), on a store seeded before they existed too.
    lines.push(`UPDATE health_centers SET postal_code = ${q(h.postal_code)}, address = ${q(h.address)}, phone = ${q(h.phone)} WHERE id = ${q(h.id)} AND phone = '';`);
  }
  for (const i of INSTITUTIONS) {
    lines.push(`INSERT OR IGNORE INTO institutions (id, name, health_center_id, pref_code, address, phone, created_at) VALUES (${q(i.id)}, ${q(i.name)}, ${q(i.health_center_id)}, ${q(i.pref_code)}, ${q(i.address)}, ${q(i.phone)}, ${now});`);
  }
  for (const d of copy ? [] : DOCTORS) {
    lines.push(`INSERT OR IGNORE INTO doctors (id, institution_id, name, created_at) VALUES (${q(d.id)}, ${q(d.institution_id)}, ${q(d.name)}, ${now});`);
  }
  for (const u of USERS) {
    lines.push(`INSERT OR IGNORE INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code, password_hash, must_change_password, created_at, updated_at) VALUES (${q(u.id)}, ${q(u.login_id)}, ${q(u.display_name)}, ${q(demoEmail(u))}, ${q(u.role)}, ${q(u.institution_id)}, ${q(u.health_center_id)}, ${q(u.pref_code)}, ${q(copy ? "" : hashPassword(DEMO_PASSWORD))}, 0, ${now}, ${now});`);
    // A local store seeded before every account had an address gets the demo address too.
    lines.push(`UPDATE users SET email = ${q(demoEmail(u))} WHERE id = ${q(u.id)} AND email = '';`);
  }
  return lines.join("\n") + "\n";
}

const ROLE_LABELS = {
  clinic_doctor: "医療機関（医師）", clinic_staff: "医療機関（職員）", health_center_staff: "保健所（職員）",
  health_center_admin: "保健所（管理者）", prefecture_staff: "都道府県", national_staff: "厚生労働省",
  follow_up_center: "健康フォローアップセンター",
};

export function printSignIns() {
  console.log(`  demo sign-ins (password for all: ${DEMO_PASSWORD}; the first sign-in registers a passkey or security key):`);
  const prefecture = (code) => HEALTH_CENTERS.find((h) => h.pref_code === code)?.prefecture ?? "全国";
  for (const u of USERS) console.log(`    ${u.login_id.padEnd(30)} ${prefecture(u.pref_code)} ${ROLE_LABELS[u.role]}`);
  const map = shardMap();
  console.log(`  (accounts live in the core ${CORE}; 東京都's records in the shard ${shardFor("13", map)}, 神奈川県's in ${shardFor("14", map)}:`);
  console.log("   the national dashboard and mhlw@national.demo's search read both)");
  console.log("  e-mail addresses (reset links and key-added notices go there): admin@shinjuku-hc.demo → admin.shinjuku-hc@her-sys.example");
}

/** The demo household's phone sign-in for health observation (`/observe`). */
export async function printPhone() {
  const { demoPhone } = await import("./records.mjs");
  const p = demoPhone();
  console.log(`  health observation on a phone (/observe): スマホ入力ID ${p.smartphoneId}, 生年月日 ${p.dateOfBirth}`);
  console.log("    (a patient and the household member who reports through the same phone)");
}

/** Runs a SQL file on one local database through wrangler (the store `wrangler dev` uses). */
function execute({ root, binding, file, persistTo, env }) {
  const args = ["d1", "execute", binding, "--local", "--file", file];
  if (persistTo) args.push("--persist-to", persistTo);
  return new Promise((resolve, reject) => {
    execFile(path.join(root, "node_modules/.bin/wrangler"), args, { cwd: root, env: { ...env, CI: "true" }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`seeding ${binding}: ${err.message}\n${stdout}${stderr}`)) : resolve()));
  });
}

/** The SQL each database gets: the directory in the core, its copy in every shard, and with `records` the demo
 * records in the shard of their prefecture and their routing entries in the core. `shards`: the `SHARDS` value
 * (default: wrangler.toml's). */
export async function seedSql({ records = false, shards } = {}) {
  const map = shardMap(shards ?? shardsVar());
  const sql = { [CORE]: [demoSql()] };
  for (const db of recordDatabases(map)) sql[db] ??= [demoSql({ copy: true })];
  if (records) {
    const { recordsSql } = await import("./records.mjs");
    const r = recordsSql();
    sql[CORE].push(...r.routes.map(({ seq, id, pref, at }) =>
      `INSERT OR IGNORE INTO case_routes (seq, case_id, shard, pref_code, created_at, updated_at) VALUES (${seq}, ${q(id)}, ${q(shardFor(pref, map))}, ${q(pref)}, ${at}, ${at});`));
    for (const [pref, lines] of Object.entries(r.byPref)) sql[shardFor(pref, map)].push(...lines);
  }
  return Object.fromEntries(Object.entries(sql).map(([db, parts]) => [db, parts.join("\n") + "\n"]));
}

/** Seeds the local databases through wrangler, one after the other (see `seedSql`; wrangler instances on one state
 * folder at once collide on its SQLite files). */
export async function seed({ root, persistTo, env = process.env, records = false, shards } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "hersys-seed-"));
  try {
    const sql = await seedSql({ records, shards });
    for (const [binding, text] of Object.entries(sql)) {
      const file = path.join(dir, `${binding}.sql`);
      writeFileSync(file, text);
      await execute({ root, binding, file, persistTo, env });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args.includes("--print")) {
    printSignIns();
    await printPhone();
  } else {
    const i = args.indexOf("--persist-to");
    // The dev command also gets demo patient records (tests make their own).
    await seed({ root: path.resolve(import.meta.dirname, "../.."), persistTo: i >= 0 ? args[i + 1] : undefined, records: true });
    const { DEMO_RECORD_COUNT } = await import("./records.mjs");
    const prefs = new Set(HEALTH_CENTERS.map((h) => h.prefecture)).size;
    console.log(`seeded demo data: ${prefs} prefectures, ${HEALTH_CENTERS.length} health centers, ${INSTITUTIONS.length} institutions, ${USERS.length} users (core ${CORE}, copies in ${recordDatabases(shardMap()).join(", ")}), ${DEMO_RECORD_COUNT} patient records`);
  }
}
