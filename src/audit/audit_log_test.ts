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
    // Decoded as a whole: a short write may split a character.
    text: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
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

Deno.test("AuditLog keeps order and bytes across chunk boundaries, big records and UTF-8", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  const expected: string[] = [];
  const add = (text: string) => {
    const record = JSON.stringify({ n: expected.length, text });
    expected.push(record);
    log.append(record);
  };
  // Enough small records to fill several chunks, with a record bigger than a chunk between
  // them and characters of two, three and four UTF-8 bytes.
  for (let i = 0; i < 3000; i++) add(`é ✓ 𝄞 ${"x".repeat(i % 300)}`);
  add("y".repeat(300 * 1024));
  for (let i = 0; i < 3000; i++) add(`record ${i}`);
  await log.close();
  equal(log.written, expected.length);
  assertEquals(file.text(), expected.join("\n") + "\n");
});

Deno.test("AuditLog reuses its chunks: a second burst writes the same bytes as the first", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  const burst = (tag: string) => {
    for (let i = 0; i < 2000; i++) log.append(`{"${tag}":${i},"pad":"${"p".repeat(200)}"}`);
  };
  burst("a");
  await log.flush();
  burst("b");
  await log.close();
  const lines = file.text().trimEnd().split("\n").map((l) => JSON.parse(l));
  equal(lines.length, 4000);
  lines.forEach((line, i) => equal(i < 2000 ? line.a : line.b, i % 2000));
});

/** A file that accepts `room` bytes, then fails every write as a full disk does. */
function smallDisk(room: number) {
  let data = new Uint8Array(0);
  const file = {
    write(bytes: Uint8Array) {
      if (data.length >= room) {
        return Promise.reject(new Error("No space left on device (os error 28)"));
      }
      const n = Math.min(bytes.length, room - data.length);
      data = new Uint8Array([...data, ...bytes.subarray(0, n)]);
      return Promise.resolve(n);
    },
    truncate(length: number) {
      data = data.slice(0, length);
      return Promise.resolve();
    },
    close() {},
    text: () => new TextDecoder().decode(data),
    free(more: number) {
      room = data.length + more;
    },
  };
  return file;
}

Deno.test("AuditLog on a full disk: flush says so, no torn line is left, and lost records are counted", async () => {
  const file = smallDisk(30);
  const errors: unknown[] = [];
  const log = new AuditLog("mem", file, (e) => errors.push(e));
  log.append({ n: "first" });
  equal(await log.flush(), true);
  log.append({ n: "second, which does not fit" });
  equal(await log.flush(), false);
  equal(file.text(), '{"n":"first"}\n');
  assertEquals([log.written, log.health.lost, errors.length], [1, 1, 1]);
  equal(log.health.failing, "No space left on device (os error 28)");
  // Space again: later records are written, and the failure is over.
  file.free(1000);
  log.append({ n: "third" });
  equal(await log.flush(), true);
  equal(file.text(), '{"n":"first"}\n{"n":"third"}\n');
  assertEquals([log.written, log.health], [2, { lost: 1 }]);
  await log.close();
});

Deno.test("AuditLog.flush writes at once what was queued, for a caller that waits for it", async () => {
  const file = memoryFile();
  const log = new AuditLog("mem", file, () => {});
  log.append({ a: 1 });
  const flushed = log.flush();
  log.append({ b: 2 });
  equal(await flushed, true);
  equal(file.text(), '{"a":1}\n{"b":2}\n');
  await log.close();
});

Deno.test("AuditLog on /dev/full: nothing is written and every record is counted lost", async () => {
  const log = await AuditLog.open("/dev/full", () => {});
  log.append({ a: 1 });
  equal(await log.flush(), false);
  assertEquals([log.written, log.health.lost], [0, 1]);
  await log.close();
});

Deno.test("AuditLog.flushSync writes at once where the file can, and cuts a torn write back", async () => {
  const dir = await Deno.makeTempDir();
  const log = await AuditLog.open(`${dir}/log.jsonl`, () => {});
  log.append({ a: 1 });
  equal(log.flushSync(), true);
  equal(await Deno.readTextFile(`${dir}/log.jsonl`), '{"a":1}\n');
  await log.close();
  // A file without a synchronous write: the caller falls back to flush().
  equal(new AuditLog("mem", memoryFile(), () => {}).flushSync(), undefined);
  const disk = smallDisk(12);
  const sync = new AuditLog("mem", {
    ...disk,
    writeSync(bytes: Uint8Array) {
      const before = disk.text().length;
      if (before >= 12) throw new Error("No space left on device (os error 28)");
      let n = 0;
      void disk.write(bytes).then((w) => n = w);
      return n || Math.min(bytes.length, 12 - before);
    },
    truncateSync: (length: number) => void disk.truncate(length),
  }, () => {});
  sync.append({ n: "first" });
  sync.append({ n: "second" });
  equal(sync.flushSync(), false);
  equal(disk.text(), "");
  assertEquals([sync.written, sync.health.lost], [0, 2]);
  await Deno.remove(dir, { recursive: true });
});
