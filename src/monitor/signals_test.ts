import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { signalExitCode, SignalLatch } from "./signals.ts";

function subscription() {
  let handler: ((signal: Deno.Signal) => void) | undefined;
  return {
    subscribe: (_: readonly Deno.Signal[], h: (signal: Deno.Signal) => void) => {
      handler = h;
      return () => (handler = undefined);
    },
    send: (signal: Deno.Signal) => handler?.(signal),
    listening: () => handler !== undefined,
  };
}

Deno.test("SignalLatch holds signals until they are routed, then passes each on", async () => {
  const s = subscription();
  const latch = new SignalLatch(s.subscribe, ["SIGTERM", "SIGINT"]);
  equal(latch.received, undefined);
  s.send("SIGINT");
  s.send("SIGTERM");
  equal(latch.received, "SIGINT");
  equal(await latch.first, "SIGINT");
  const routed: Deno.Signal[] = [];
  latch.route((signal) => void routed.push(signal));
  s.send("SIGTERM");
  assertEquals(routed, ["SIGINT", "SIGTERM", "SIGTERM"]);
});

Deno.test("SignalLatch.close stops listening, so a signal has its default effect again", () => {
  const s = subscription();
  const latch = new SignalLatch(s.subscribe, ["SIGTERM"]);
  equal(s.listening(), true);
  latch.close();
  equal(s.listening(), false);
});

Deno.test("signalExitCode is 128+n", () => {
  assertEquals(
    (["SIGHUP", "SIGINT", "SIGTERM"] as const).map(signalExitCode),
    [129, 130, 143],
  );
});
