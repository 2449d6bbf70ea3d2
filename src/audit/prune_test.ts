import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { applyRetention, filesOlderThan, retainLogs } from "./prune.ts";
import { DAY, NOW, sessionLog as session, withLogs } from "./_testing.ts";

const alive = (pid: number) => pid === 1000;
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("applyRetention deletes ended sessions older than the age, and nothing else", async () => {
  await withLogs({
    "old-ended.jsonl": [session("a", 1, true), 10],
    "old-crashed.jsonl": [session("b", 2, false), 10],
    "old-live.jsonl": [session("c", 1000, false), 10],
    "old-empty.jsonl": ["", 10],
    "old-unknown.jsonl": ['{"session_id":"d","type":"message"}\n', 10],
    "new-ended.jsonl": [session("e", 3, true), 1],
    "old-other.txt": ["keep", 10],
  }, async (dir) => {
    const { removed, failed } = await applyRetention(dir, 7 * DAY, NOW, alive);
    assertEquals(failed, []);
    assertEquals(removed.map((p) => p.slice(dir.length + 1)).sort(), [
      "old-crashed.jsonl",
      "old-empty.jsonl",
      "old-ended.jsonl",
    ]);
    assertEquals(names(dir), [
      "new-ended.jsonl",
      "old-live.jsonl",
      "old-other.txt",
      "old-unknown.jsonl",
    ]);
  });
});

Deno.test("filesOlderThan inspects only the older files", async () => {
  await withLogs({
    "a.jsonl": [session("a", 1000, false), 3],
    "b.jsonl": [session("b", 1, true), 1],
  }, async (dir) => {
    const files = await filesOlderThan(dir, NOW - 2 * DAY, alive);
    equal(files.length, 1);
    equal(files[0].name, "a.jsonl");
    equal(files[0].liveness, "live");
    equal(files[0].facts.server, "srv");
  });
});

Deno.test("retainLogs warns instead of failing when the folder cannot be read", async () => {
  const warnings: string[] = [];
  const dir = await Deno.makeTempFile(); // a file, not a folder
  try {
    equal(await retainLogs(dir, DAY, NOW, (w) => warnings.push(w), alive), undefined);
    equal(warnings.length, 1);
    ok(warnings[0].startsWith(`logRetention: cannot look for old session logs in "${dir}": `));
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("retainLogs of a folder not there deletes nothing and says nothing", async () => {
  const warnings: string[] = [];
  const removal = await retainLogs(
    "/nonexistent/km/logs",
    DAY,
    NOW,
    (w) => warnings.push(w),
    alive,
  );
  assertEquals(removal, { removed: [], failed: [] });
  assertEquals(warnings, []);
});
