import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { memoryLog } from "./_testing.ts";

Deno.test("session log: lifecycle and stderr records share one seq, in order, with their fields", async () => {
  const t = await memoryLog();
  t.log.lifecycle("start", { server: { name: "x" } });
  t.log.stderr("warming up");
  equal(t.log.nextSeq(), 3); // a record the relay numbers itself
  t.log.lifecycle("shutdown");
  await t.log.close();
  const records = t.records();
  assertEquals(records.map((r) => [r.seq, r.type, r.event]), [
    [1, "lifecycle", "start"],
    [2, "stderr", undefined],
    [4, "lifecycle", "shutdown"],
  ]);
  assertEquals(records[0].server, { name: "x" });
  equal(records[1].text, "warming up");
  ok(records.every((r) => r.session_id === "s1"));
  equal(t.log.written, 3);
  equal(t.file.closed, true);
});

Deno.test("session log: a failed write before the relay runs is not reported (it ends the session)", async () => {
  const t = await memoryLog({ full: true });
  t.log.lifecycle("start");
  equal(await t.log.flush(), false);
  equal(t.stderr(), "");
  equal(t.log.records.failing(), "No space left on device (os error 28)");
  equal(t.log.health.lost, 1);
  await t.log.close();
});

for (const refuseUnrecorded of [true, false]) {
  Deno.test(`session log: a failed write while relaying is reported (refuseUnrecorded: ${refuseUnrecorded})`, async () => {
    const t = await memoryLog({ full: true, refuseUnrecorded });
    t.log.relaying();
    t.log.lifecycle("start");
    equal(t.log.records.flushSync?.() ?? await t.log.records.flush(), false);
    ok(t.stderr().includes('writing the audit log "/mem/session.jsonl" failed'), t.stderr());
    const then = refuseUnrecorded ? "km refuses requests" : "messages are relayed unrecorded";
    ok(t.stderr().includes(then), t.stderr());
    await t.log.close();
  });
}
