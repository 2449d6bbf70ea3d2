import { deepStrictEqual as assertEquals, equal, match, throws } from "node:assert/strict";
import {
  type AuditRecord,
  counts,
  FAKE_SECRET,
  loggedSecretEcho,
  messageTable,
  parseArgs,
  parseLog,
  redactions,
} from "./demo.ts";

const ROOT = new URL("..", import.meta.url).pathname;

const RECORDS: AuditRecord[] = [
  { seq: 1, type: "lifecycle", event: "start" },
  {
    seq: 2,
    type: "message",
    direction: "client_to_server",
    kind: "request",
    method: "tools/call",
    tool: "echo",
    id: "7",
    size: 150,
    message: { params: { name: "echo", arguments: { message: "my key is [REDACTED:x]" } } },
    redactions: 1,
  },
  { seq: 3, type: "stderr", text: "hello" },
  {
    seq: 4,
    type: "message",
    direction: "server_to_client",
    kind: "response",
    method: "tools/call",
    tool: "echo",
    id: "7",
    latency_ms: 1.234,
    size: 2048,
    redactions: 2,
  },
  { seq: 5, type: "lifecycle", event: "shutdown" },
];

Deno.test("messageTable has a row per message record, aligned", () => {
  const lines = messageTable(RECORDS).split("\n");
  equal(lines.length, 3);
  match(lines[0], /seq\s+dir\s+kind\s+method \/ tool\s+id\s+latency\s+size\s+note/);
  match(lines[1], /^\s+2 {2}→\s+request\s+tools\/call echo\s+7\s+150 B {2}1 redacted$/);
  match(
    lines[2],
    /^\s+4 {2}←\s+response\s+tools\/call echo\s+7\s+1\.2 ms\s+2\.0 KiB {2}2 redacted$/,
  );
});

Deno.test("counts tallies types, kinds per direction and lifecycle events", () => {
  const lines = counts(RECORDS);
  match(lines[0], /lifecycle 2, message 2, stderr 1$/);
  match(lines[1], /request 1$/);
  match(lines[2], /response 1$/);
  match(lines[3], /start, shutdown$/);
});

Deno.test("redactions sums the records' redaction counts", () => {
  assertEquals(redactions(RECORDS), { total: 3, seqs: [2, 4] });
});

Deno.test("loggedSecretEcho finds the echo request that carried the secret", () => {
  equal(loggedSecretEcho(RECORDS), "my key is [REDACTED:x]");
  equal(loggedSecretEcho(RECORDS.slice(2)), undefined);
});

Deno.test("parseArgs takes --log-dir and rejects anything else", () => {
  assertEquals(parseArgs([]), {});
  assertEquals(parseArgs(["--log-dir", "/x"]), { logDir: "/x" });
  assertEquals(parseArgs(["--log-dir=/y"]), { logDir: "/y" });
  throws(() => parseArgs(["--log-dir"]), /--log-dir needs a directory/);
  throws(() => parseArgs(["--log-dir="]), /--log-dir needs a directory/);
  throws(() => parseArgs(["--verbose"]), /unknown argument "--verbose"/);
});

Deno.test("parseLog names the line that is not JSON", () => {
  assertEquals(parseLog('{"a":1}\n{"b":2}\n'), [{ a: 1 }, { b: 2 }]);
  throws(() => parseLog('{"a":1}\nnot json\n'), /line 2 of the audit log is not JSON/);
});

Deno.test("FAKE_SECRET looks like an Anthropic key, so km's rule applies", () => {
  match(FAKE_SECRET, /^sk-ant-[A-Za-z0-9_-]{20,}$/);
});

Deno.test("the demo runs a real session through km and shows the redaction", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "km-demo-test-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${ROOT}scripts/demo.ts`, "--log-dir", logDir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    equal(code, 0, `demo failed:\n${out}\n${new TextDecoder().decode(stderr)}`);
    match(out, /"message": "my key is \[REDACTED:anthropic_key\]"/);
    match(out, /tools\/call trigger-sampling-request/);
    match(out, new RegExp(`Audit log: ${logDir}/\\S+\\.jsonl`));
    equal(out.includes(FAKE_SECRET), false);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
