import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { FakeTimers } from "../approval/_testing.ts";
import type { KmError } from "../errors.ts";
import { type LoadedPolicy, loadPolicy } from "./build/load_policy.ts";
import { Reloader, watchPath } from "./reloader.ts";
import { withFiles } from "./_testing.ts";

const fake = (revision: string) => ({ revision }) as unknown as LoadedPolicy;

Deno.test("Reloader debounces a burst of changes into one reload", async () => {
  const loads: string[] = [];
  let n = 0;
  const timers = new FakeTimers();
  const done = Promise.withResolvers<void>();
  const reloader = new Reloader({
    load: () => Promise.resolve(fake(`r${++n}`)),
    onLoaded: (l) => (loads.push(l.revision), done.resolve()),
    onFailed: () => {},
    debounceMs: 20,
    timers,
  });
  for (let i = 0; i < 5; i++) reloader.changed(), timers.advance(10);
  assertEquals(loads, [], "no reload while changes keep coming");
  equal(timers.live.size, 1);
  timers.advance(10);
  await done.promise;
  timers.advance(1000);
  assertEquals(loads, ["r1"]);
  equal(timers.live.size, 0);
  await reloader.close();
});

Deno.test("Reloader reports a failed load and keeps going with the next change", async () => {
  const events: string[] = [];
  let fail = true;
  const timers = new FakeTimers();
  let loaded = Promise.withResolvers<void>();
  const reloader = new Reloader({
    load: () => fail ? Promise.reject(new Error("bad rego")) : Promise.resolve(fake("good")),
    onLoaded: (l) => (events.push(`loaded ${l.revision}`), loaded.resolve()),
    onFailed: (e) => (events.push(`failed ${(e as Error).message}`), loaded.resolve()),
    debounceMs: 10,
    timers,
  });
  reloader.changed();
  timers.advance(10);
  await loaded.promise;
  loaded = Promise.withResolvers<void>();
  fail = false;
  reloader.changed();
  timers.advance(10);
  await loaded.promise;
  assertEquals(events, ["failed bad rego", "loaded good"]);
  await reloader.close();
});

Deno.test("Reloader keeps the last good policy when the folder's rules leave package kilometers", async () => {
  await withFiles(
    { "p.rego": 'package kilometers\nimport rego.v1\ndeny contains "x" if true\n' },
    async (dir) => {
      // The rules are refused before any compiler is looked for: this needs no opa.
      const events: string[] = [];
      const timers = new FakeTimers();
      const done = Promise.withResolvers<void>();
      const reloader = new Reloader({
        load: () => loadPolicy(dir, { opa: "/nonexistent/opa" }),
        onLoaded: () => (events.push("loaded"), done.resolve()),
        onFailed: (
          e,
        ) => (events.push(`${(e as KmError).code}: ${(e as Error).message}`), done.resolve()),
        debounceMs: 10,
        timers,
      });
      await Deno.writeTextFile(
        `${dir}/p.rego`,
        'package mypolicy\nimport rego.v1\ndeny contains "x" if true\n',
      );
      reloader.changed();
      timers.advance(10);
      await done.promise;
      await reloader.close();
      equal(events.length, 1);
      ok(events[0].startsWith("POLICY_INVALID: "), events[0]);
      ok(events[0].includes("package mypolicy (p.rego)"), events[0]);
    },
  );
});

Deno.test("watchPath keeps watching the path after the folder is replaced by a rename", async () => {
  const root = await Deno.makeTempDir();
  const dir = `${root}/policy`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/p.rego`, "v1");
  let changes = 0;
  const stop = watchPath(dir, () => changes++);
  try {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Waits (up to 10 s: a loaded machine is slow to deliver file events) until `check`. */
    const until = async (what: string, check: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !check();) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    };
    /** Waits until no change has come for 300 ms: the events of earlier steps are all in. */
    const quiet = async () => {
      for (let seen = -1; seen !== changes;) {
        seen = changes;
        await sleep(300);
      }
    };
    // An atomic swap: the new folder is built aside, then renamed into place.
    await Deno.mkdir(`${root}/policy.new`);
    await Deno.writeTextFile(`${root}/policy.new/p.rego`, "v2");
    await Deno.rename(dir, `${root}/policy.old`);
    await Deno.rename(`${root}/policy.new`, dir);
    await until("the swap to be seen as a change", () => changes > 0);
    await quiet();
    // Later edits, in the folder the path names now, are seen too.
    const before = changes;
    await Deno.writeTextFile(`${dir}/p.rego`, "v3");
    await until("an edit after the swap to be seen", () => changes > before);
    await quiet();
    // And edits to the old folder, which the path no longer names, are not.
    const after = changes;
    await Deno.writeTextFile(`${root}/policy.old/p.rego`, "stale");
    await sleep(300);
    equal(changes, after);
  } finally {
    stop();
    await Deno.remove(root, { recursive: true });
  }
});
