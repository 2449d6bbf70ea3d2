import { deepStrictEqual as assertEquals, equal, ok, rejects, throws } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { type ClearLogsIo, clearRequest, runClearLogs } from "./clear_logs_command.ts";
import { NOW, sessionLog as session, withLogs } from "../audit/_testing.ts";

const LIVE_PID = 1000;

const FILES: Record<string, [string, number]> = {
  "old-ended.jsonl": [session("aaaa-1", 1, true), 10],
  "old-live.jsonl": [session("bbbb-2", LIVE_PID, false), 10],
  "new-ended.jsonl": [session("cccc-3", 2, true), 1],
};

function io(terminal: boolean, answer = "") {
  const out = bufferWriter();
  const err = bufferWriter();
  const clear: ClearLogsIo = {
    out,
    diagnostics: new Diagnostics(err),
    stdin: new Blob([answer]).stream(),
    isTerminal: () => terminal,
    now: () => NOW,
    isAlive: (pid) => pid === LIVE_PID,
  };
  return { clear, out, err };
}

const left = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("km clear-logs --older-than --yes deletes old ended sessions, never a live one", async () => {
  await withLogs(FILES, async (dir) => {
    const { clear, out, err } = io(false);
    equal(await runClearLogs(dir, clearRequest({ "older-than": "7d", yes: true }), clear), 0);
    assertEquals(left(dir), ["new-ended.jsonl", "old-live.jsonl"]);
    ok(out.text().startsWith("deleted 1 of 1 session log ("), out.text());
    ok(err.text().includes(`keeping ${dir}/old-live.jsonl: it is still running (km pid 1000)`));
  });
});

Deno.test("km clear-logs refuses without --yes when it cannot ask", async () => {
  await withLogs(FILES, async (dir) => {
    const { clear } = io(false);
    await rejects(
      runClearLogs(dir, clearRequest({ "older-than": "7d" }), clear),
      (e: Error & { hint?: string }) => {
        ok(e.message.includes("would delete 1 session log"), e.message);
        ok(e.message.endsWith("and cannot ask: stdin is not a terminal"), e.message);
        equal(e.hint, "pass --yes to delete them without asking");
        return true;
      },
    );
    equal(left(dir).length, 3);
  });
});

Deno.test("km clear-logs at a terminal lists the files and deletes only on y", async () => {
  await withLogs(FILES, async (dir) => {
    const no = io(true, "\n");
    equal(await runClearLogs(dir, clearRequest({ "older-than": "7d" }), no.clear), 0);
    ok(no.out.text().includes(`  ${dir}/old-ended.jsonl (srv, last written 2026-11-12 00:00 UTC`));
    ok(no.out.text().endsWith("Delete them? [y/N] nothing deleted\n"), no.out.text());
    equal(left(dir).length, 3);
    const yes = io(true, "y\n");
    equal(await runClearLogs(dir, clearRequest({ "older-than": "7d" }), yes.clear), 0);
    assertEquals(left(dir), ["new-ended.jsonl", "old-live.jsonl"]);
  });
});

Deno.test("km clear-logs --session deletes that session; refuses a live or unknown one", async () => {
  await withLogs(FILES, async (dir) => {
    await rejects(
      runClearLogs(dir, clearRequest({ session: "bbbb", yes: true }), io(false).clear),
      { message: "session bbbb-2 is still running (km pid 1000): its log is not deleted" },
    );
    await rejects(
      runClearLogs(dir, clearRequest({ session: "zzzz", yes: true }), io(false).clear),
      { message: `no session "zzzz" in the log folder "${dir}"` },
    );
    equal(
      await runClearLogs(dir, clearRequest({ session: "cccc", yes: true }), io(false).clear),
      0,
    );
    assertEquals(left(dir), ["old-ended.jsonl", "old-live.jsonl"]);
  });
});

Deno.test("km clear-logs --session refuses a prefix that names several sessions", async () => {
  await withLogs(FILES, async (dir) => {
    await Deno.writeTextFile(`${dir}/other.jsonl`, session("aaaa-9", 3, true));
    await rejects(
      runClearLogs(dir, clearRequest({ session: "aaaa", yes: true }), io(false).clear),
      (e: Error) => e.message.startsWith('--session "aaaa" matches 2 sessions: '),
    );
    equal(left(dir).length, 4);
  });
});

Deno.test("clearRequest needs something to delete and a valid age", () => {
  throws(() => clearRequest({}), {
    message: "km clear-logs needs --older-than AGE or --session S to know what to delete",
  });
  throws(
    () => clearRequest({ "older-than": "30 days" }),
    (e: Error) =>
      e.message.startsWith("--older-than expects an age: a whole number and s, m, h, d or w"),
  );
  assertEquals(clearRequest({ "older-than": "1h", yes: true }), {
    olderThanMs: 3_600_000,
    session: undefined,
    yes: true,
  });
});
