import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { LoadedPolicy } from "./load_policy.ts";
import { Reloader } from "./reloader.ts";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fake = (revision: string) => ({ revision }) as unknown as LoadedPolicy;

Deno.test("Reloader debounces a burst of changes into one reload", async () => {
  const loads: string[] = [];
  let n = 0;
  const reloader = new Reloader({
    load: () => Promise.resolve(fake(`r${++n}`)),
    onLoaded: (l) => void loads.push(l.revision),
    onFailed: () => {},
    debounceMs: 20,
  });
  for (let i = 0; i < 5; i++) reloader.changed();
  await wait(80);
  assertEquals(loads, ["r1"]);
  await reloader.close();
});

Deno.test("Reloader reports a failed load and keeps going with the next change", async () => {
  const events: string[] = [];
  let fail = true;
  const reloader = new Reloader({
    load: () => fail ? Promise.reject(new Error("bad rego")) : Promise.resolve(fake("good")),
    onLoaded: (l) => void events.push(`loaded ${l.revision}`),
    onFailed: (e) => void events.push(`failed ${(e as Error).message}`),
    debounceMs: 10,
  });
  reloader.changed();
  await wait(50);
  fail = false;
  reloader.changed();
  await wait(50);
  assertEquals(events, ["failed bad rego", "loaded good"]);
  await reloader.close();
});
