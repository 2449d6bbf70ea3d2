import { equal } from "node:assert/strict";
import { Diagnostics, StderrQueue } from "./diagnostics.ts";

Deno.test("StderrQueue never blocks on a reader that does not read, and bounds what it holds", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: string[] = [];
  const stuck = new WritableStream<Uint8Array>({
    async write(chunk) {
      await gate;
      seen.push(new TextDecoder().decode(chunk));
    },
  });
  const queue = new StderrQueue(stuck, 10);
  queue.write("12345");
  queue.write("6789");
  queue.write("overflow!"); // would exceed 10 queued bytes
  equal(queue.dropped, 9);
  await queue.flush(20); // times out: the reader is stuck
  release();
  await queue.flush();
  equal(seen.join(""), "123456789");
});

Deno.test("Diagnostics prefixes lines and adds a hint line", async () => {
  const out: string[] = [];
  const d = new Diagnostics({ write: (t) => void out.push(t) });
  d.error("bad thing", "do this");
  d.warn("careful");
  equal(out.join(""), "km: error: bad thing\nkm: hint: do this\nkm: warning: careful\n");
  await Promise.resolve();
});
