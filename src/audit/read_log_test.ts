import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { FileTail, joinPath, listSessionFiles, serverOfFileName } from "./read_log.ts";
import type { LogLine } from "./log_lines.ts";

async function read(tail: FileTail): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  await tail.read((line) => lines.push(line));
  return lines;
}

Deno.test("listSessionFiles: the *.jsonl files, by name; none for a folder not there", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/2026-11-22T20-00-00Z_b_22222222.jsonl`, "{}\n");
    await Deno.writeTextFile(`${dir}/2026-11-21T20-00-00Z_a_11111111.jsonl`, "");
    await Deno.writeTextFile(`${dir}/ui.json`, "{}");
    await Deno.mkdir(`${dir}/folder.jsonl`);
    const files = await listSessionFiles(dir);
    assertEquals(files.map((f) => [f.name, f.size]), [
      ["2026-11-21T20-00-00Z_a_11111111.jsonl", 0],
      ["2026-11-22T20-00-00Z_b_22222222.jsonl", 3],
    ]);
    equal(files[0].path, `${dir}/2026-11-21T20-00-00Z_a_11111111.jsonl`);
    assertEquals(await listSessionFiles(`${dir}/nope`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileTail reads each whole line once, and a line still being written when it ends", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.jsonl`;
  try {
    await Deno.writeTextFile(path, '{"seq":1}\n{"seq":2}\n{"se');
    const tail = new FileTail(path);
    assertEquals((await read(tail)).map((l) => l.text), ['{"seq":1}', '{"seq":2}']);
    equal(tail.unfinishedBytes, 4);
    assertEquals(await read(tail), []);
    await Deno.writeTextFile(path, 'q":3}\n', { append: true });
    assertEquals(await read(tail), [{ number: 3, text: '{"seq":3}' }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileTail: a torn record taken back is read again from its start", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.jsonl`;
  try {
    await Deno.writeTextFile(path, '{"seq":1}\n{"seq":2,"half');
    const tail = new FileTail(path);
    equal((await read(tail)).length, 1);
    await Deno.truncate(path, 10);
    await Deno.writeTextFile(path, '{"seq":2}\n', { append: true });
    assertEquals(await read(tail), [{ number: 2, text: '{"seq":2}' }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileTail of a file that is gone reads nothing", async () => {
  assertEquals(await read(new FileTail("/nonexistent/km/s.jsonl")), []);
});

Deno.test("serverOfFileName and joinPath", () => {
  equal(
    serverOfFileName("2026-11-22T20-14-13Z_server-everything_b647aabc.jsonl"),
    "server-everything",
  );
  equal(serverOfFileName("2026-11-22T20-14-13Z_my_server_b647aabc.jsonl"), "my_server");
  equal(serverOfFileName("all.jsonl"), undefined);
  equal(joinPath("/logs/", "a.jsonl"), "/logs/a.jsonl");
  equal(joinPath("C:\\km\\logs", "a.jsonl"), "C:\\km\\logs\\a.jsonl");
});
