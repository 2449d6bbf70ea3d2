import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { type LogsIo, logsQuery, runLogs } from "./logs_command.ts";

const FILE_A = "2026-11-22T20-00-00Z_server-a_aaaaaaaa.jsonl";
const FILE_B = "2026-11-22T21-00-00Z_server-b_bbbbbbbb.jsonl";

function rec(session: string, seq: number, fields: Record<string, unknown>): string {
  return JSON.stringify({
    schema: "km.audit/v1",
    session_id: session,
    seq,
    timestamp: `2026-11-22T20:00:0${seq}.000Z`,
    ...fields,
  });
}

const A = [
  rec("aaaaaaaa-1", 1, {
    type: "lifecycle",
    event: "start",
    server: { name: "server-a", command: ["a"] },
  }),
  rec("aaaaaaaa-1", 2, {
    type: "message",
    direction: "client_to_server",
    kind: "request",
    method: "tools/call",
    id: "1",
    tool: "echo",
    size: 50,
    forwarded: true,
  }),
  rec("aaaaaaaa-1", 3, {
    type: "message",
    direction: "client_to_server",
    kind: "request",
    method: "tools/call",
    id: "2",
    tool: "rm",
    size: 48,
    forwarded: false,
    result: { action: "deny", applied: "block", reasons: ["no"], rules: ["r"] },
  }),
];
const B = [
  rec("bbbbbbbb-2", 1, { type: "stderr", text: "hello" }),
  rec("bbbbbbbb-2", 2, {
    type: "message",
    direction: "client_to_server",
    kind: "request",
    method: "tools/list",
    id: "1",
    size: 40,
    forwarded: true,
  }),
];

function io(signals?: { stop?: () => void }, sleep?: () => Promise<void>) {
  const out = bufferWriter();
  const err = bufferWriter();
  const logs: LogsIo = {
    out,
    diagnostics: new Diagnostics(err),
    onSignals: (_signals, handler) => {
      if (signals) signals.stop = () => handler("SIGINT");
      return () => {};
    },
    sleep,
  };
  return { logs, out, err };
}

async function withLogs(files: Record<string, string>, test: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const NOW = Date.parse("2026-11-22T22:00:00Z");
const query = (values: Record<string, string | boolean> = {}) => logsQuery(values, NOW);

Deno.test("km logs prints every record readably, oldest session first", async () => {
  await withLogs({ [FILE_B]: B.join("\n") + "\n", [FILE_A]: A.join("\n") + "\n" }, async (dir) => {
    const { logs, out, err } = io();
    equal(await runLogs(dir, query(), logs), 0);
    assertEquals(out.text().split("\n"), [
      "2026-11-22 20:00:01.000Z aaaaaaaa server-a [start] a",
      "2026-11-22 20:00:02.000Z aaaaaaaa server-a → request tools/call #1 echo (50 B)",
      "2026-11-22 20:00:03.000Z aaaaaaaa server-a → request tools/call #2 rm [block] (48 B)",
      "2026-11-22 20:00:01.000Z bbbbbbbb server-b stderr: hello",
      "2026-11-22 20:00:02.000Z bbbbbbbb server-b → request tools/list #1 (40 B)",
      "",
    ]);
    equal(err.text(), "");
  });
});

Deno.test("km logs --json prints the matching records as stored", async () => {
  await withLogs({ [FILE_A]: A.join("\n") + "\n", [FILE_B]: B.join("\n") + "\n" }, async (dir) => {
    const { logs, out } = io();
    await runLogs(dir, query({ json: true, tool: "rm" }), logs);
    equal(out.text(), `${A[2]}\n`);
  });
});

Deno.test("km logs filters combine: server, method, decision, session, since", async () => {
  await withLogs({ [FILE_A]: A.join("\n") + "\n", [FILE_B]: B.join("\n") + "\n" }, async (dir) => {
    const lines = async (values: Record<string, string | boolean>) => {
      const { logs, out } = io();
      await runLogs(dir, query({ ...values, json: true }), logs);
      return out.text().split("\n").filter(Boolean);
    };
    assertEquals(await lines({ server: "server-b" }), B);
    assertEquals(await lines({ method: "tools/call" }), [A[1], A[2]]);
    assertEquals(await lines({ method: "tools/call", decision: "deny" }), [A[2]]);
    assertEquals(await lines({ server: "server-b", decision: "deny" }), []);
    assertEquals(await lines({ session: "bbbb" }), B);
    assertEquals(await lines({ since: "2026-11-22T20:00:02.500Z" }), [A[2]]);
  });
});

Deno.test("km logs skips a line that is not JSON, naming file:line, and waits for a torn last line", async () => {
  const text = `${A[0]}\nnot json\n${A[1]}\n${A[2].slice(0, 30)}`;
  await withLogs({ [FILE_A]: text }, async (dir) => {
    const { logs, out, err } = io();
    equal(await runLogs(dir, query({ json: true }), logs), 0);
    equal(out.text(), `${A[0]}\n${A[1]}\n`);
    equal(err.text(), `km: warning: ${dir}/${FILE_A}:2: not a JSON record; skipped\n`);
  });
});

Deno.test("km logs --follow prints new records and new sessions until SIGINT", async () => {
  await withLogs({ [FILE_A]: `${A[0]}\n` }, async (dir) => {
    const signals: { stop?: () => void } = {};
    let looks = 0;
    const { logs, out } = io(signals, async () => {
      looks++;
      if (looks === 1) await Deno.writeTextFile(`${dir}/${FILE_A}`, `${A[1]}\n`, { append: true });
      if (looks === 2) await Deno.writeTextFile(`${dir}/${FILE_B}`, `${B[0]}\n`);
      if (looks === 3) signals.stop!();
    });
    equal(await runLogs(dir, query({ follow: true, json: true }), logs), 0);
    equal(out.text(), `${A[0]}\n${A[1]}\n${B[0]}\n`);
    equal(looks, 3);
  });
});

Deno.test("logsQuery rejects a bad --since or --decision, naming what was expected", () => {
  throws(() => logsQuery({ since: "yesterday" }, NOW), (e: Error) => {
    ok(e.message.startsWith("--since expects an age: a whole number and s, m, h, d or w"));
    ok(e.message.endsWith('got "yesterday"'), e.message);
    return true;
  });
  throws(() => logsQuery({ decision: "blocked" }, NOW), {
    message:
      '--decision expects one of allow, deny, ask, transform, error, forward, block, drop, audit, hold, input_required, consume, got "blocked" (did you mean "block"?)',
  });
  equal(logsQuery({ since: "1h" }, NOW).filter.since, NOW - 3_600_000);
});
