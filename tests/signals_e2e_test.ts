/**
 * A signal at any moment of km's life, start-up included: the server's whole process group is
 * stopped, and every session that got as far as opening its log (which km does before it
 * starts the server, with its signal handlers already in place) has a whole record. A signal
 * before that ends km the default way, before any server exists: nothing to stop, no log.
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { FIXTURES, monitor, processesMatching, readSessionLog, wait } from "./helpers.ts";

const BAD_PEER = `${FIXTURES}/bad_peer_server.mjs`;
const uniqueSleep = () =>
  `${3600 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1000)}`;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function logFiles(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names;
}

/** Resolves once `check` holds, polling every 2 ms (for at most 20 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000 && !(await check()); i++) await wait(2);
}

/** When the test sends SIGTERM, counted from km's own spawn. */
const MOMENTS: { name: string; when: (logs: string, pidFile: string) => Promise<unknown> }[] = [
  ...[0, 20, 50, 100, 200, 350, 500, 800].map((ms) => ({
    name: `${ms} ms after km starts`,
    when: () => wait(ms),
  })),
  {
    name: "as soon as the log file exists",
    when: (logs) => until(async () => (await logFiles(logs)).length > 0),
  },
  {
    name: "as soon as the server process exists",
    when: (_, pidFile) => until(() => exists(pidFile)),
  },
];

for (const moment of MOMENTS) {
  Deno.test(`SIGTERM ${moment.name} leaves no server process and, once km has a log, a whole record`, async () => {
    const dir = await Deno.makeTempDir();
    const logs = `${dir}/logs`;
    const pidFile = `${dir}/server.pid`;
    const sleep = uniqueSleep();
    try {
      // A server that starts a grandchild at once, then takes 300 ms to start up.
      const km = monitor(logs, ["node", BAD_PEER, "slow-start", sleep, pidFile]);
      await moment.when(logs, pidFile);
      km.child.kill("SIGTERM");
      const status = await km.exit();
      equal(status.code, 143, km.stderr);

      assertEquals(await processesMatching(`sleep ${sleep}`), [], "the grandchild survived");
      assertEquals(await processesMatching(`slow-start ${sleep}`), [], "the server survived");
      const serverStarted = await exists(pidFile);
      const logged = (await logFiles(logs)).length > 0;
      if (serverStarted) ok(logged, "a server was started, but the session has no log");
      if (!logged) return; // km was ended before it had its handlers: it started nothing.
      const records = await readSessionLog(logs);
      const events = records.map((r) => r.event);
      equal(events[0], "start", `events: ${events}`);
      equal(records.find((r) => r.event === "signal")?.signal, "SIGTERM", `events: ${events}`);
      const last = records.at(-1)!;
      equal(last.event, "shutdown", `events: ${events}`);
      equal(last.exit_code, 143);
      // The server was either never started, or started, signalled and seen to exit.
      const pid = (records[0].server as { pid?: number }).pid;
      if (pid === undefined) ok(!serverStarted, "km started a server it did not record");
      else ok(events.includes("server_exit"), `events: ${events}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("SIGINT as km creates its log folder: exit 130, and the record says if a server ran", async () => {
  const dir = await Deno.makeTempDir();
  const pidFile = `${dir}/server.pid`;
  const sleep = uniqueSleep();
  try {
    // km creates the folder as it opens the log, just before it starts the server: the signal
    // lands before the spawn (nothing is started) or just after it (it is forwarded).
    const km = monitor(`${dir}/logs`, ["node", BAD_PEER, "slow-start", sleep, pidFile]);
    await until(() => exists(`${dir}/logs`));
    km.child.kill("SIGINT");
    equal((await km.exit()).code, 130, km.stderr);
    const records = await readSessionLog(`${dir}/logs`);
    const events = records.map((r) => r.event);
    const signal = records.find((r) => r.event === "signal")!;
    equal(signal.signal, "SIGINT");
    if ((records[0].server as { pid?: number }).pid === undefined) {
      assertEquals(events, ["start", "signal", "shutdown"]);
      equal(signal.forwarded, false);
      ok(!(await exists(pidFile)), "a server was started");
    } else {
      ok(events.includes("server_exit"), `events: ${events}`);
    }
    equal(records.at(-1)?.exit_code, 130);
    assertEquals(await processesMatching(`sleep ${sleep}`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
