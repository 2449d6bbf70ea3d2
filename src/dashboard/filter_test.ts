import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import type { RecordSummary } from "./api_types.ts";
import { filterParams, matches, parseFilter } from "./filter.ts";

const summary: RecordSummary = {
  key: "s/1",
  session: "s",
  seq: 1,
  ts: 0,
  type: "message",
  server: "everything",
  direction: "client_to_server",
  kind: "request",
  method: "tools/call",
  tool: "echo",
  action: "deny",
  risk: 7,
  reasons: ["Blocked by Security"],
  preview: "echo {}",
};

Deno.test("filter: parses every parameter, and round-trips", () => {
  const params = new URLSearchParams(
    "session=s&server=everything&direction=client_to_server&type=message&kind=request" +
      "&method=tools/call&tool=echo&decision=deny&risk=5&q=sec",
  );
  const parsed = parseFilter(params);
  if ("error" in parsed) throw new Error(parsed.error);
  equal(parsed.filter.risk, 5);
  equal(matches(summary, parsed.filter), true);
  assertEquals(parseFilter(filterParams(parsed.filter)), parsed);
});

Deno.test("filter: bad values name the parameter and what is expected", () => {
  assertEquals(parseFilter(new URLSearchParams("direction=up")), {
    error: '"direction" must be one of client_to_server, server_to_client; got "up"',
  });
  assertEquals(parseFilter(new URLSearchParams("risk=11")), {
    error: '"risk" must be a number from 0 to 10; got "11"',
  });
  assertEquals(parseFilter(new URLSearchParams("risk=-1")), {
    error: '"risk" must be a number from 0 to 10; got "-1"',
  });
  assertEquals(parseFilter(new URLSearchParams("decision=maybe")), {
    error: '"decision" must be one of allow, deny, ask, transform, error; got "maybe"',
  });
  assertEquals(parseFilter(new URLSearchParams(`q=${"x".repeat(501)}`)), {
    error: '"q" must be at most 500 characters',
  });
  assertEquals(parseFilter(new URLSearchParams("q=&tool=")), { filter: {} });
});

Deno.test("filter: each condition can exclude", () => {
  const no = (f: Record<string, unknown>) => equal(matches(summary, f), false, JSON.stringify(f));
  no({ session: "t" });
  no({ server: "x" });
  no({ direction: "server_to_client" });
  no({ type: "stderr" });
  no({ kind: "response" });
  no({ method: "tools/list" });
  no({ tool: "other" });
  no({ decision: "allow" });
  no({ risk: 8 });
  no({ q: "nothing" });
  equal(matches(summary, { q: "security" }), true);
  equal(matches({ ...summary, risk: undefined }, { risk: 0 }), true);
});
