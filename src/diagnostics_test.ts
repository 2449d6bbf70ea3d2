import { equal } from "node:assert/strict";
import { Diagnostics, StderrQueue, terminalSafe } from "./diagnostics.ts";

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

Deno.test("terminalSafe shows every character a terminal acts on as a visible escape", () => {
  equal(terminalSafe("\x1b[2K\rkm: fake\nnext\ttab"), "\\x1b[2K\\rkm: fake\\nnext\\ttab");
  equal(terminalSafe("\x00\x07\x08\x7f\x9b"), "\\x00\\x07\\x08\\x7f\\x9b"); // C0, DEL, C1 (CSI)
  equal(terminalSafe("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
  equal(
    terminalSafe("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"),
    "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c",
  );
});

Deno.test("terminalSafe leaves printable text alone, other scripts and backslashes included", () => {
  for (const text of ["plain", "→ µs ← café 東京 🙂", "C:\\Users\\me", "\u00a0nbsp", ""]) {
    equal(terminalSafe(text), text);
  }
});

Deno.test("Diagnostics: a message cannot add a line or act on the terminal", () => {
  const out: string[] = [];
  const d = new Diagnostics({ write: (t) => void out.push(t) });
  d.info("tool \x1b[2K\rkm: fake\nkm: error: forged");
  d.warn("w\u202e\n");
  d.error("bad\x1b[31m", "hint\nkm: fake");
  equal(
    out.join(""),
    "km: tool \\x1b[2K\\rkm: fake\\nkm: error: forged\n" +
      "km: warning: w\\u202e\\n\n" +
      "km: error: bad\\x1b[31m\nkm: hint: hint\\nkm: fake\n",
  );
});

Deno.test("Diagnostics.error keeps a message's lines, indented so none passes for km's own", () => {
  const out: string[] = [];
  const d = new Diagnostics({ write: (t) => void out.push(t) });
  d.error("invalid configuration:\n  one\n  two\nkm: fake\x1b[2K");
  equal(
    out.join(""),
    "km: error: invalid configuration:\n  one\n  two\n  km: fake\\x1b[2K\n",
  );
  out.length = 0;
  d.raw("km: a\x1b\nkm: b\n");
  equal(out.join(""), "km: a\\x1b\nkm: b\n");
});
