// Many filed records fast (exports' tests and benchmark): copies of one real filed record (its `cases` row and its
// notification, as filing wrote them) made by one recursive-CTE `INSERT … SELECT` per table through the worker's local
// D1. Every column is copied from the template except the ones that must differ (ids, the スマホ入力ID, times).
// With shards (issue 23) the copies go into the template's shard, each with a routing entry in the core whose number
// (`seq`) its case and notification carry, as the worker's own filings.
import { CORE } from "./edge.mjs";

/** The copy expressions of `table`'s columns in `db` (`over`: column → SQL expression over the template `t` and
 * `k.x`; `seq` only when `over` names it, else the database numbers the rows). */
function columns(edge, db, table, over) {
  const info = edge.d1(`PRAGMA table_info(${table})`, { db });
  const names = info.filter((c) => !(c.pk === 1 && c.name === "seq" && !over.seq)).map((c) => c.name);
  return { names, exprs: names.map((n) => over[n] ?? `t.${n}`) };
}

/**
 * `count` copies of the filed record `templateId`: ids `${prefix}${x}` (x = 1…count), filed `perTick` at a time
 * every `tickMs` from `fromMs` (so several share one filing time: the export's keyset then pages by seq too), in
 * `healthCenterId` (default: the template's). Answers the ids in filing order.
 */
export function seedCopies(edge, { templateId, count, fromMs, tickMs = 60_000, perTick = 1, prefix, healthCenterId, phoneBase = 800_000_000 }) {
  const id = `'${prefix}' || k.x`;
  const at = `(${fromMs} + ((k.x - 1) / ${perTick}) * ${tickMs})`;
  const hc = healthCenterId ? `'${healthCenterId}'` : undefined;
  const cte = `WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < ${count})`;
  // The template's shard (its routing entry); none: the one-database setup, everything in the core.
  const [tr] = edge.d1(`SELECT shard, pref_code FROM case_routes WHERE case_id = '${templateId}'`);
  const db = tr?.shard ?? CORE;
  let seq = {};
  if (tr) {
    // One statement numbers the routes in order: the copies' numbers are consecutive from the first one's.
    edge.d1(`${cte} INSERT INTO case_routes (case_id, shard, pref_code, created_at, updated_at) SELECT ${id}, '${tr.shard}', '${tr.pref_code}', ${at}, ${at} FROM k`);
    const [{ first }] = edge.d1(`SELECT MIN(seq) AS first FROM case_routes WHERE case_id = '${prefix}1'`);
    seq = { seq: `(${first - 1} + k.x)` };
  }
  const c = columns(edge, db, "cases", {
    id, smartphone_id: `printf('%010d', ${phoneBase} + k.x)`, filed_at: at, created_at: at, updated_at: at,
    create_key: "NULL", deleted_at: "NULL", deleted_by_user_id: "NULL", ...(hc ? { health_center_id: hc } : {}), ...seq,
  });
  const n = columns(edge, db, "notifications", {
    id, filed_at: at, transfer_token: "NULL", ...(hc ? { health_center_id: hc } : {}), ...seq,
  });
  edge.d1(`${cte} INSERT INTO notifications (${n.names.join(", ")}) SELECT ${n.exprs.join(", ")} FROM k, notifications t WHERE t.id = '${templateId}'`, { db });
  edge.d1(`${cte} INSERT INTO cases (${c.names.join(", ")}) SELECT ${c.exprs.join(", ")} FROM k, cases t WHERE t.id = '${templateId}'`, { db });
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** Milliseconds of 00:00 JST of `day` (YYYY-MM-DD). */
export const jstMidnight = (day) => Date.parse(`${day}T00:00:00+09:00`);

/** A minimal RFC 4180 reader: rows of cells (quoted cells with `""`, CRLF or LF line ends). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(cell); cell = ""; }
    else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      if (ch === "\r") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
