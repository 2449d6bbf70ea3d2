import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { liveness, sessionFacts, sessionMatches } from "./retention.ts";

const start = JSON.stringify({
  session_id: "b647aabc-1111",
  seq: 1,
  type: "lifecycle",
  event: "start",
  km: { version: "x", pid: 4242 },
  server: { name: "srv", command: ["node"] },
});
const message = JSON.stringify({ session_id: "b647aabc-1111", seq: 2, type: "message" });
const shutdown = JSON.stringify({
  session_id: "b647aabc-1111",
  type: "lifecycle",
  event: "shutdown",
});

Deno.test("sessionFacts: the start record names the session, its server and km's pid", () => {
  assertEquals(sessionFacts(start, `${message}\n${shutdown}\n`), {
    sessionId: "b647aabc-1111",
    server: "srv",
    kmPid: 4242,
    empty: false,
    ended: true,
  });
});

Deno.test("sessionFacts: ended only when a whole shutdown record is the last line", () => {
  equal(sessionFacts(start, `${start}\n${message}\n`).ended, false);
  equal(sessionFacts(start, `${shutdown}\n${message}\n`).ended, false);
  equal(sessionFacts(start, `${shutdown}`).ended, false);
  equal(sessionFacts(start, `x"}\n${shutdown}\n`).ended, true); // the tail starts mid-record
  equal(sessionFacts(start, `${shutdown}\n{"seq":`).ended, false);
});

Deno.test("sessionFacts: an empty file; a first line that is not a start record", () => {
  assertEquals(sessionFacts(undefined, ""), {
    sessionId: undefined,
    server: undefined,
    kmPid: undefined,
    empty: true,
    ended: false,
  });
  const facts = sessionFacts(message, `${message}\n`);
  equal(facts.sessionId, "b647aabc-1111");
  equal(facts.kmPid, undefined);
  equal(sessionFacts("not json", "not json\n").sessionId, undefined);
});

Deno.test("liveness: ended, live while km's pid runs, unknown without a pid", () => {
  const alive = (pid: number) => pid === 4242;
  equal(liveness(sessionFacts(start, `${shutdown}\n`), alive), "ended");
  equal(liveness(sessionFacts(start, `${message}\n`), alive), "live");
  equal(liveness(sessionFacts(start, `${message}\n`), () => false), "ended");
  equal(liveness(sessionFacts(message, `${message}\n`), alive), "unknown");
  equal(liveness(sessionFacts(undefined, ""), alive), "ended");
});

Deno.test("sessionMatches: the id or its beginning, never an empty one", () => {
  const facts = sessionFacts(start, "");
  equal(sessionMatches(facts, "b647aabc"), true);
  equal(sessionMatches(facts, "b647aabc-1111"), true);
  equal(sessionMatches(facts, "1111"), false);
  equal(sessionMatches(facts, ""), false);
  equal(sessionMatches(sessionFacts(undefined, ""), "b"), false);
});
