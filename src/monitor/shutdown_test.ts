import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Shutdown } from "./shutdown.ts";

function recorder() {
  const sent: string[] = [];
  return { sent, server: { signal: (s: Deno.Signal) => (sent.push(s), true) } };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("Shutdown escalates from closed stdin to SIGTERM to SIGKILL", async () => {
  const { sent, server } = recorder();
  const steps: string[] = [];
  const s = new Shutdown(
    server,
    { closeStdinWait: 5, terminateWait: 5 },
    (step) => void steps.push(step),
  );
  s.afterStdinClosed();
  await wait(40);
  assertEquals(sent, ["SIGTERM", "SIGKILL"]);
  assertEquals(steps, ["terminate", "kill"]);
  s.finished();
});

Deno.test("Shutdown sends nothing once the server has exited", async () => {
  const { sent, server } = recorder();
  const s = new Shutdown(server, { closeStdinWait: 5, terminateWait: 5 }, () => {});
  s.afterStdinClosed();
  s.finished();
  await wait(30);
  assertEquals(sent, []);
});

Deno.test("Shutdown kills a server that ignores a forwarded SIGTERM", async () => {
  const { sent, server } = recorder();
  const s = new Shutdown(server, { closeStdinWait: 1000, terminateWait: 5 }, () => {});
  s.forwarded();
  s.afterStdinClosed();
  await wait(30);
  assertEquals(sent, ["SIGKILL"]);
  s.finished();
});
