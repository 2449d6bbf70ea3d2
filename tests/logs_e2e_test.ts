/**
 * km logs and km clear-logs end to end: real sessions through km (one ended, one still live),
 * then the commands as a person runs them: readable and JSON output, filters, --follow picking
 * up a record as the live session writes it, and clear-logs deleting the old ended session but
 * never the live one.
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import {
  FIXTURES,
  INITIALIZE,
  INITIALIZED,
  kmCommand,
  type KmProcess,
  monitor,
  runKm,
} from "./helpers.ts";

const SCRIPTED = `${FIXTURES}/scripted_server.mjs`;
const SECRET = "sk-ant-api03-" + "a".repeat(40);
const call = (id: number) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"work","arguments":{"note":"${SECRET}"}}}\n`;

const km = (...args: string[]) => runKm(args);

const files = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

/** Lines of `km logs --json`, parsed. */
const records = (out: string) => out.split("\n").filter(Boolean).map((l) => JSON.parse(l));

Deno.test("km logs and km clear-logs over real sessions, one ended and one live", async () => {
  const dir = await Deno.makeTempDir();
  let live: KmProcess | undefined;
  try {
    // An ended session: a call with a secret in it, a stderr line with another.
    const ended = monitor(dir, ["node", SCRIPTED, "stderr"], ["--name", "alpha"]);
    await ended.write(INITIALIZE + INITIALIZED + call(1));
    await ended.waitFor('"id":1,"result"');
    await ended.closeStdin();
    equal((await ended.exit()).code, 0);
    const [alphaFile] = files(dir);

    // A live session, left running.
    live = monitor(dir, ["node", SCRIPTED], ["--name", "beta"]);
    await live.write(INITIALIZE + INITIALIZED);
    await live.waitFor('"id":0,"result"');
    const betaFile = files(dir).find((f) => f !== alphaFile)!;

    // Readable: one line per record, as km monitor -v shows messages; redacted.
    const all = await km("logs", "--log-dir", dir);
    equal(all.code, 0, all.stderr);
    ok(/ alpha → request tools\/call #1 work \(\d+ B\)\n/.test(all.stdout), all.stdout);
    ok(
      / alpha ← response #1 tools\/call work [\d.]+ (µs|ms) \(\d+ B\)\n/.test(all.stdout),
      all.stdout,
    );
    ok(
      all.stdout.includes(" alpha stderr: second line with [REDACTED:aws_access_key_id]"),
      all.stdout,
    );
    ok(/ beta \[start\] node /.test(all.stdout), all.stdout);
    ok(!all.stdout.includes(SECRET) && !all.stdout.includes("AKIAIOSFODNN7EXAMPLE"), "redacted");
    ok(all.stdout.indexOf(" alpha ") < all.stdout.indexOf(" beta "), "oldest session first");

    // --json: the records as stored, filtered.
    const stored = (await Deno.readTextFile(`${dir}/${alphaFile}`)).split("\n").filter(Boolean);
    const calls = await km(
      "logs",
      "--log-dir",
      dir,
      "--json",
      "--server",
      "alpha",
      "--tool",
      "work",
    );
    assertEquals(
      calls.stdout.split("\n").filter(Boolean),
      stored.filter((line) => JSON.parse(line).tool === "work"),
    );
    equal(records(calls.stdout).length, 2); // the call and its response
    const betaId = records(
      (await km("logs", "--log-dir", dir, "--json", "--server", "beta")).stdout,
    )[0]
      .session_id as string;
    const session = records(
      (await km("logs", "--log-dir", dir, "--json", "--session", betaId.slice(0, 8))).stdout,
    );
    ok(session.length > 0 && session.every((r) => r.session_id === betaId));
    const allowed = records(
      (await km("logs", "--log-dir", dir, "--json", "--decision", "allow")).stdout,
    );
    ok(allowed.length > 0 && allowed.every((r) => r.result.action === "allow"));
    equal((await km("logs", "--log-dir", dir, "--decision", "deny")).stdout, "");
    equal((await km("logs", "--log-dir", dir, "--since", "2999-01-01")).stdout, "");
    equal(
      records((await km("logs", "--log-dir", dir, "--json", "--since", "1h")).stdout).length,
      records((await km("logs", "--log-dir", dir, "--json")).stdout).length,
    );
    const typo = await km("logs", "--log-dir", dir, "--since", "an hour");
    equal(typo.code, 2);
    ok(typo.stderr.includes("--since expects an age"), typo.stderr);

    // --follow: prints what is there, then the live session's new record, until SIGINT.
    const [program, ...rest] = kmCommand(
      "logs",
      "--log-dir",
      dir,
      "--json",
      "--follow",
      "--server",
      "beta",
      "--method",
      "tools/call",
    );
    const follower = new Deno.Command(program, { args: rest, stdout: "piped", stderr: "piped" })
      .spawn();
    const reader = follower.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    await live.write(call(7));
    while (!seen.includes('"id":"7"') || !seen.includes('"kind":"response"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`km logs --follow ended early: ${seen}`);
      seen += value;
    }
    follower.kill("SIGINT");
    const status = await follower.status;
    reader.releaseLock();
    await follower.stdout.cancel().catch(() => {});
    await follower.stderr.cancel();
    equal(status.code, 0);
    ok(records(seen).every((r) => r.method === "tools/call" && r.session_id === betaId), seen);

    // clear-logs: both files look old; only the ended session is deleted.
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const name of files(dir)) await Deno.utime(`${dir}/${name}`, old, old);
    const refused = await km("clear-logs", "--log-dir", dir, "--older-than", "7d");
    equal(refused.code, 2);
    ok(refused.stderr.includes("stdin is not a terminal"), refused.stderr);
    ok(refused.stderr.includes("pass --yes"), refused.stderr);
    const liveRefused = await km("clear-logs", "--log-dir", dir, "--session", betaId, "--yes");
    equal(liveRefused.code, 2);
    ok(liveRefused.stderr.includes("is still running"), liveRefused.stderr);
    const cleared = await km("clear-logs", "--log-dir", dir, "--older-than", "7d", "--yes");
    equal(cleared.code, 0, cleared.stderr);
    ok(cleared.stdout.startsWith("deleted 1 of 1 session log"), cleared.stdout);
    ok(cleared.stderr.includes(`keeping ${dir}/${betaFile}: it is still running`), cleared.stderr);
    assertEquals(files(dir), [betaFile]);
  } finally {
    if (live) {
      await live.closeStdin();
      await live.exit();
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logRetention: km monitor deletes old ended sessions as it starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = monitor(dir, ["node", SCRIPTED], ["--name", "old"]);
    await first.write(INITIALIZE);
    await first.closeStdin();
    await first.exit();
    const [oldFile] = files(dir);
    const old = new Date(Date.now() - 40 * 86_400_000);
    await Deno.utime(`${dir}/${oldFile}`, old, old);
    const next = monitor(dir, ["node", SCRIPTED], ["--name", "new"], {
      env: { KM_LOG_RETENTION: "30d" },
    });
    await next.write(INITIALIZE);
    await next.waitFor('"id":0,"result"');
    await next.closeStdin();
    equal((await next.exit()).code, 0);
    const left = files(dir);
    equal(left.length, 1);
    ok(left[0].includes("_new_"), left[0]);
    ok(!next.stderr.includes("logRetention"), next.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
