// Drive-through records as the app's queue holds them (protocol 1, shared/src/api/sync.rs), for API tests and the
// sync benchmark. Specimen codes are made like shared::drive::specimen_code (a check character over 6 random ones).
import { randomBytes } from "node:crypto";

const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function specimenCode(bytes = randomBytes(6)) {
  const body = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]);
  const sum = body.reduce((s, c, i) => s + (i + 1) * ALPHABET.indexOf(c), 0);
  return body.join("") + ALPHABET[sum % ALPHABET.length];
}

export const PCR = "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出";
export const ANTIGEN = "抗原定性検査による病原体の抗原の検出";

export const clientId = () => randomBytes(18).toString("base64url");

/** The n-th person of a run: a unique name (`${prefix} ${n}`), a specimen collected a minute ago. */
export function driveRecord(n, { prefix = "同期", healthCenterId = "HC13104", result, version = 1, ...more } = {}) {
  const now = Date.now();
  const jst = new Date(now + 9 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    client_id: clientId(),
    version,
    base_case_version: null,
    health_center_id: healthCenterId,
    site: { name: "中央公園 ドライブスルー検査場", staff: "検査 一郎", date: jst },
    person: {
      name: `${prefix} ${n}`,
      furigana: "ドウキ タロウ",
      date_of_birth: "1980-01-01",
      sex: n % 2 ? "男" : "女",
      phone: `090-0000-${String(n % 10000).padStart(4, "0")}`,
      postal_code: "1600022",
      address: "東京都新宿区新宿3-1",
    },
    specimen: { code: specimenCode(), method: PCR, specimen: "鼻咽頭拭い液", collected_at: now - 60_000 },
    result: result ? { result, at: now - 1000 } : null,
    ...more,
  };
}
