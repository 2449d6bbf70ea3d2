import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { DEFAULTS } from "../config/config.ts";
import { SignalLatch } from "./signals.ts";
import { bufferDiagnostics, fakeClock, fakeUpstream, memoryLog } from "./_testing.ts";
import { forwardSignals, startFields, startServer } from "./start.ts";
import type { Upstream } from "./upstream.ts";

/** A latch whose signals the test sends by calling `send`. */
function latch() {
  let handler: (signal: Deno.Signal) => void = () => {};
  const signals = new SignalLatch((_s, h) => {
    handler = h;
    return () => {};
  }, ["SIGINT", "SIGTERM", "SIGHUP"]);
  return { signals, send: (s: Deno.Signal) => handler(s) };
}

async function start(spawn: () => Upstream, early?: Deno.Signal) {
  const t = await memoryLog();
  const l = latch();
  if (early) l.send(early);
  const { diagnostics, text } = bufferDiagnostics();
  const started = startServer({
    signals: l.signals,
    log: t.log,
    fields: startFields(DEFAULTS, { name: "srv", command: ["srv", "-x"], cwd: "/w" }, undefined),
    spawn,
    clock: fakeClock(),
    t0: 0,
    quiet: false,
    diagnostics,
  });
  return { started, t, text, l };
}

Deno.test("start: a signal before the spawn starts nothing and leaves start, signal, shutdown", async () => {
  let spawned = false;
  const { started, t, text } = await start(() => {
    spawned = true;
    return fakeUpstream();
  }, "SIGINT");
  equal(await started, 130);
  equal(spawned, false);
  const records = t.records();
  assertEquals(records.map((r) => r.event), ["start", "signal", "shutdown"]);
  assertEquals(records[0].server, { name: "srv", command: ["srv", "-x"], cwd: "/w" });
  assertEquals([records[1].signal, records[1].forwarded], ["SIGINT", false]);
  equal(records[2].reason, "km received SIGINT before it started the server");
  equal(t.file.closed, true);
  equal(text(), "km: received SIGINT before starting srv; it was not started\n");
});

Deno.test("start: a server that cannot be spawned is recorded, and the error thrown", async () => {
  const { started, t } = await start(() => {
    throw new Error("not found");
  });
  await rejects(started, /not found/);
  assertEquals(t.records().map((r) => r.event), ["start", "spawn_failed"]);
  equal(t.records()[1].error, "not found");
  equal(t.file.closed, true);
});

Deno.test("start: the start record carries the server's pid", async () => {
  const server = fakeUpstream();
  const { started, t } = await start(() => server);
  equal(await started, server);
  await t.log.close();
  const [record] = t.records();
  equal((record.server as { pid: number }).pid, 4242);
  equal((record.km as { pid: number }).pid, Deno.pid);
});

Deno.test("forwardSignals: held and later signals go to the server; a second SIGTERM kills", async () => {
  const t = await memoryLog();
  const l = latch();
  l.send("SIGHUP");
  const server = fakeUpstream();
  server.signal = (s) => (server.got.push(s), true); // a server that does not die
  const shutdown = forwardSignals(
    l.signals,
    server,
    { closeStdinWait: 10, terminateWait: 60_000 },
    t.log.lifecycle,
  );
  l.send("SIGTERM");
  l.send("SIGTERM");
  shutdown.finished();
  assertEquals(server.got, ["SIGHUP", "SIGTERM", "SIGTERM", "SIGKILL"]);
  await t.log.close();
  assertEquals(t.records().map((r) => [r.event, r.signal]), [
    ["signal", "SIGHUP"],
    ["signal", "SIGTERM"],
    ["signal", "SIGTERM"],
    ["kill", "SIGKILL"],
  ]);
  ok(t.records().every((r) => r.event !== "kill" || r.delivered === true));
});
