import { deepStrictEqual as assertEquals, equal, rejects } from "node:assert/strict";
import { AuditLog, type LogFile } from "./audit_log.ts";

function memoryFile(): LogFile & { text(): string; closed: boolean } {
  const chunks: Uint8Array[] = [];
  return {
    closed: false,
    write(bytes) {
      // Accept at most 7 bytes per call, like a short write on a pipe.
      const n = Math.min(7, bytes.length);
      chunks.push(bytes.slice(0, n));
      return Promise.resolve(n);
    },
    close() {
      this.closed = true;
    },
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("AuditLog writes one JSON line per record, in order, surviving short writes", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  for (let i = 0; i < 100; i++) log.append(i % 2 ? { seq: i } : `{"seq":${i}}`);
  await log.close();
  const lines = file.text().trimEnd().split("\n").map((l) => JSON.parse(l).seq);
  assertEquals(lines, Array.from({ length: 100 }, (_, i) => i));
  equal(file.closed, true);
  equal(log.written, 100);
});

Deno.test("AuditLog writes after the caller has moved on, in one batch", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  log.append({ a: 1 });
  log.append({ b: 2 });
  equal(file.text(), "");
  await log.close();
  equal(file.text(), '{"a":1}\n{"b":2}\n');
});

Deno.test("AuditLog.open names the path when the directory cannot be created", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  await rejects(AuditLog.open(`${dir}/file/sub/log.jsonl`, () => {}), (e: Error) => {
    equal(e.message.startsWith(`Cannot write the audit log "${dir}/file/sub/log.jsonl"`), true);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("AuditLog.open creates the directory and appends to an existing file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a/b/log.jsonl`;
  for (const n of [1, 2]) {
    const log = await AuditLog.open(path, () => {});
    log.append({ n });
    await log.close();
  }
  equal(await Deno.readTextFile(path), '{"n":1}\n{"n":2}\n');
  equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});
