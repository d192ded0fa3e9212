// Many filed records fast (exports' tests and benchmark): copies of one real filed record (its `cases` row and its
// notification, as filing wrote them) made by one recursive-CTE `INSERT … SELECT` per table through the worker's local
// D1. Every column is copied from the template except the ones that must differ (ids, the スマホ入力ID, times).

/** The copy expressions of `table`'s columns (`over`: column → SQL expression over the template `t` and `k.x`). */
function columns(edge, table, over) {
  const info = edge.d1(`PRAGMA table_info(${table})`);
  const names = info.filter((c) => !(c.pk === 1 && c.name === "seq")).map((c) => c.name);
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
  const c = columns(edge, "cases", {
    id, smartphone_id: `printf('%010d', ${phoneBase} + k.x)`, filed_at: at, created_at: at, updated_at: at,
    create_key: "NULL", deleted_at: "NULL", deleted_by_user_id: "NULL", ...(hc ? { health_center_id: hc } : {}),
  });
  const n = columns(edge, "notifications", {
    id, filed_at: at, transfer_token: "NULL", ...(hc ? { health_center_id: hc } : {}),
  });
  edge.d1(`${cte} INSERT INTO notifications (${n.names.join(", ")}) SELECT ${n.exprs.join(", ")} FROM k, notifications t WHERE t.id = '${templateId}'`);
  edge.d1(`${cte} INSERT INTO cases (${c.names.join(", ")}) SELECT ${c.exprs.join(", ")} FROM k, cases t WHERE t.id = '${templateId}'`);
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
