import { equal, ok } from "node:assert/strict";
import { cacheable, DecisionCache } from "./decision_cache.ts";
import { ALLOW_DECISION } from "./_testing.ts";

const decision = (risk: number) => ({ ...ALLOW_DECISION, risk });

Deno.test("DecisionCache returns what was set for the same input text, and nothing else", () => {
  const cache = new DecisionCache();
  cache.set('{"kind":"request"}', decision(1));
  equal(cache.get('{"kind":"request"}')?.risk, 1);
  equal(cache.get('{"kind":"response"}'), undefined);
});

Deno.test("DecisionCache forgets the oldest decision first", () => {
  const cache = new DecisionCache({ maxEntries: 2, maxInputChars: 100 });
  cache.set("a", decision(1));
  cache.set("b", decision(2));
  equal(cache.get("a")?.risk, 1);
  cache.set("c", decision(3));
  equal(cache.size, 2);
  equal(cache.get("a"), undefined);
  equal(cache.get("b")?.risk, 2);
  equal(cache.get("c")?.risk, 3);
});

Deno.test("DecisionCache does not keep inputs longer than its limit", () => {
  const cache = new DecisionCache({ maxEntries: 10, maxInputChars: 8 });
  cache.set("123456789", decision(1));
  equal(cache.size, 0);
  equal(cache.get("123456789"), undefined);
});

Deno.test("cacheable() only for known members that repeat, and no clock or file system", () => {
  ok(cacheable({ members: ["kind", "method", "tool", "session"] }, ["regex.replace"]));
  ok(cacheable({ members: [] }, []));
  for (const member of ["id", "message", "request", "stats"]) {
    equal(cacheable({ members: ["kind", member] }, []), false, member);
  }
  equal(cacheable({}, []), false, "a policy that reads the whole input");
  equal(cacheable({ members: ["kind"] }, ["time.now_ns"]), false, "a policy that reads the clock");
  equal(cacheable({ members: ["tool"] }, ["km.fs.realpath"]), false, "one that reads the files");
});

Deno.test("DecisionCache freezes what it keeps, so no message's handling can change it", () => {
  const cache = new DecisionCache();
  const kept = { ...ALLOW_DECISION, patch: [{ op: "add", path: "/params/x", value: { y: 1 } }] };
  cache.set("k", kept);
  const got = cache.get("k")!;
  ok(Object.isFrozen(got) && Object.isFrozen(got.patch) && Object.isFrozen(got.patch[0]));
  ok(Object.isFrozen((got.patch[0] as { value: object }).value));
});
