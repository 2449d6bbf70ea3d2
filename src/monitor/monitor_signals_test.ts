import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { DEFAULTS } from "../config/config.ts";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { systemClock } from "../relay/events.ts";
import { type MonitorDeps, runMonitor } from "./monitor.ts";
import type { Upstream } from "./upstream.ts";

const unused = () => {
  throw new Error("not used by this test");
};

/** Deps whose signals the test sends itself, by calling `signal`. */
function deps(over: Partial<MonitorDeps>) {
  let handler: ((signal: Deno.Signal) => void) | undefined;
  let subscribed = false;
  const err = bufferWriter();
  const base: MonitorDeps = {
    stdin: new ReadableStream(), // a client that stays connected and silent
    stdout: new WritableStream(),
    stderr: () => {},
    diagnostics: new Diagnostics(err),
    env: {},
    os: "linux",
    cwd: "/",
    clock: systemClock,
    newSessionId: () => "0000aaaa-0000-0000-0000-000000000000",
    spawn: unused,
    loadPolicy: unused,
    loadDefaultPolicy: unused,
    watchPath: unused,
    attachUi: unused,
    findDashboard: unused,
    connectDashboard: unused,
    onSignals: (_signals, h) => {
      handler = h;
      subscribed = true;
      return () => (subscribed = false);
    },
  };
  return {
    deps: { ...base, ...over },
    err,
    signal: (signal: Deno.Signal) => handler!(signal),
    subscribed: () => subscribed,
  };
}

/** A server that runs until it gets SIGTERM or SIGKILL. */
function fakeServer(): Upstream & { got: Deno.Signal[] } {
  const got: Deno.Signal[] = [];
  let exit: (code: number, signal: string) => void = () => {};
  const status = new Promise<{ code: number; signal: string | null }>((resolve) =>
    exit = (code, signal) => resolve({ code, signal })
  );
  const closing = (c: ReadableStreamDefaultController<Uint8Array>) =>
    void status.then(() => c.close());
  return {
    pid: 4242,
    got,
    stdin: new WritableStream(),
    stdout: new ReadableStream({ start: closing }),
    stderr: new ReadableStream({ start: closing }),
    status,
    signal(signal) {
      got.push(signal);
      if (signal === "SIGTERM") exit(143, "SIGTERM");
      if (signal === "SIGKILL") exit(137, "SIGKILL");
      return true;
    },
  };
}

async function records(dir: string): Promise<Record<string, unknown>[]> {
  const [file] = [...Deno.readDirSync(dir)];
  const text = await Deno.readTextFile(`${dir}/${file.name}`);
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

Deno.test("runMonitor: a signal while km is starting up starts no server and leaves a record", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let spawned = false;
    const t = deps({
      // The signal comes while the policy loads, which never ends: km need not wait for it.
      loadDefaultPolicy: () => {
        t.signal("SIGTERM");
        return new Promise(() => {});
      },
      spawn: () => {
        spawned = true;
        return unused();
      },
    });
    const code = await runMonitor({ ...DEFAULTS, logDir: dir }, ["server"], t.deps);
    equal(code, 143);
    ok(!spawned, "the server was started");
    ok(!t.subscribed(), "km still listens for signals after the session");
    const log = await records(dir);
    assertEquals(log.map((r) => r.event), ["start", "signal", "shutdown"]);
    assertEquals([log[1].signal, log[1].forwarded], ["SIGTERM", false]);
    equal(log[2].exit_code, 143);
    equal((log[0].server as { pid?: number }).pid, undefined);
    ok(t.err.text().includes("received SIGTERM before starting server"), t.err.text());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runMonitor: a signal as the server is spawned is forwarded to it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const server = fakeServer();
    const t = deps({
      spawn: () => {
        t.signal("SIGTERM"); // before km has taken the next step
        return server;
      },
    });
    const config = { ...DEFAULTS, logDir: dir, quiet: true };
    const code = await runMonitor(
      { ...config, policy: { ...config.policy, path: "none" } },
      ["server"],
      t.deps,
    );
    equal(code, 143);
    equal(server.got[0], "SIGTERM");
    const log = await records(dir);
    const events = log.map((r) => r.event);
    equal(events[0], "start");
    equal((log[0].server as { pid?: number }).pid, 4242);
    const signal = log.find((r) => r.event === "signal")!;
    assertEquals([signal.signal, signal.forwarded], ["SIGTERM", true]);
    ok(events.indexOf("signal") < events.indexOf("server_exit"), `events: ${events}`);
    equal(events.at(-1), "shutdown");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
