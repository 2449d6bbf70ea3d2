import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { DEFAULTS } from "../config/config.ts";
import { bufferDiagnostics } from "./_testing.ts";
import { sessionPlace } from "./session_paths.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22);
const clock = { now: () => 0, epochMs: () => NOW };
const ended = '{"session_id":"a","type":"lifecycle","event":"start","km":{"pid":1}}\n' +
  '{"session_id":"a","type":"lifecycle","event":"shutdown"}\n';

async function withOldLog(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/old.jsonl`, ended);
    const at = new Date(NOW - 40 * DAY);
    await Deno.utime(`${dir}/old.jsonl`, at, at);
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function place(dir: string, logRetention: number | undefined) {
  const { diagnostics, text } = bufferDiagnostics();
  const config = { ...DEFAULTS, logDir: dir, logRetention };
  const io = { env: {}, os: "linux", clock, newSessionId: () => "s", diagnostics };
  return { place: sessionPlace(config, ["node", "server.js"], io), warnings: text };
}

Deno.test("with logRetention, old ended sessions are deleted as the session begins", async () => {
  await withOldLog(async (dir) => {
    const { place: p, warnings } = place(dir, 30 * DAY);
    ok(p.logPath.startsWith(`${dir}/`));
    await p.retention;
    assertEquals([...Deno.readDirSync(dir)], []);
    equal(warnings(), "");
  });
});

Deno.test("without logRetention, nothing is looked at", async () => {
  await withOldLog((dir) => {
    const { place: p } = place(dir, undefined);
    equal(p.retention, undefined);
    equal([...Deno.readDirSync(dir)].length, 1);
    return Promise.resolve();
  });
});

Deno.test("a log folder retention cannot read is a warning, and the session still has its place", async () => {
  const file = await Deno.makeTempFile();
  try {
    const { place: p, warnings } = place(file, DAY);
    equal(p.sessionId, "s");
    await p.retention;
    ok(
      warnings().startsWith(
        `km: warning: logRetention: cannot look for old session logs in "${file}"`,
      ),
    );
  } finally {
    await Deno.remove(file);
  }
});
