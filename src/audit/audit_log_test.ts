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
  for (let i = 0; i < 100; i++) log.append(() => ({ seq: i }));
  await log.close();
  const lines = file.text().trimEnd().split("\n").map((l) => JSON.parse(l).seq);
  assertEquals(lines, Array.from({ length: 100 }, (_, i) => i));
  equal(file.closed, true);
  equal(log.written, 100);
});

Deno.test("AuditLog builds records only after the caller has moved on", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  let built = false;
  log.append(() => {
    built = true;
    return {};
  });
  equal(built, false);
  await log.close();
  equal(built, true);
});

Deno.test("AuditLog keeps a trace of a record that cannot be serialised", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  log.append(() => ({ n: 1n }) as unknown as Record<string, unknown>);
  await log.close();
  equal(JSON.parse(file.text()).type, "record_error");
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
    log.append(() => ({ n }));
    await log.close();
  }
  equal(await Deno.readTextFile(path), '{"n":1}\n{"n":2}\n');
  equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});
