import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { FakeTimers } from "../approval/_testing.ts";
import { Shutdown } from "./shutdown.ts";

function recorder() {
  const sent: string[] = [];
  return { sent, server: { signal: (s: Deno.Signal) => (sent.push(s), true) } };
}

Deno.test("Shutdown escalates from closed stdin to SIGTERM to SIGKILL", () => {
  const { sent, server } = recorder();
  const steps: string[] = [];
  const timers = new FakeTimers();
  const s = new Shutdown(
    server,
    { closeStdinWait: 5, terminateWait: 5 },
    (step) => void steps.push(step),
    timers,
  );
  s.afterStdinClosed();
  timers.advance(4);
  assertEquals(sent, []);
  timers.advance(1);
  assertEquals(sent, ["SIGTERM"]);
  timers.advance(5);
  assertEquals(sent, ["SIGTERM", "SIGKILL"]);
  assertEquals(steps, ["terminate", "kill"]);
  s.finished();
  assertEquals(timers.live.size, 0);
});

Deno.test("Shutdown sends nothing once the server has exited", () => {
  const { sent, server } = recorder();
  const timers = new FakeTimers();
  const s = new Shutdown(server, { closeStdinWait: 5, terminateWait: 5 }, () => {}, timers);
  s.afterStdinClosed();
  s.finished();
  assertEquals(timers.live.size, 0, "the pending step is cancelled");
  timers.advance(30);
  assertEquals(sent, []);
});

Deno.test("Shutdown kills a server that ignores a forwarded SIGTERM", () => {
  const { sent, server } = recorder();
  const timers = new FakeTimers();
  const s = new Shutdown(server, { closeStdinWait: 1000, terminateWait: 5 }, () => {}, timers);
  s.forwarded();
  s.afterStdinClosed();
  timers.advance(30);
  assertEquals(sent, ["SIGKILL"]);
  s.finished();
});
