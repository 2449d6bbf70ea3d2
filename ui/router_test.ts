import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import {
  activityRoute,
  APPROVALS_HREF,
  callRoute,
  formatRoute,
  parseRoute,
  queryOfFilter,
  TABS,
} from "./router.ts";

Deno.test("parseRoute() reads each view, with or without the leading #", () => {
  assertEquals(parseRoute(""), { view: "activity", query: {} });
  assertEquals(parseRoute("#/"), { view: "activity", query: {} });
  assertEquals(parseRoute("#/sessions"), { view: "sessions", query: {} });
  assertEquals(parseRoute("stats?server=files"), { view: "stats", query: { server: "files" } });
  assertEquals(parseRoute("#/policy"), { view: "policy", query: {} });
  assertEquals(parseRoute("#/approvals"), { view: "approvals", query: {} });
  assertEquals(parseRoute("approvals/"), { view: "approvals", query: {} });
});

Deno.test("parseRoute() reads the feed filter from the query and drops empty values", () => {
  assertEquals(parseRoute("#/?decision=deny&q=rm%20-rf&tool="), {
    view: "activity",
    query: { decision: "deny", q: "rm -rf" },
  });
});

Deno.test("parseRoute() reads a call with its encoded session and the feed filter to return to", () => {
  assertEquals(parseRoute("#/call/a%2Fb%20c/42?server=files"), {
    view: "call",
    session: "a/b c",
    seq: 42,
    query: { server: "files" },
  });
});

Deno.test("parseRoute() gives not_found for unknown paths, bad seqs and bad escapes", () => {
  equal(parseRoute("#/nope").view, "not_found");
  equal(parseRoute("#/call/abc/x1").view, "not_found");
  equal(parseRoute("#/call/abc").view, "not_found");
  equal(parseRoute("#/call/%E0%A4%A/1").view, "not_found");
  equal(parseRoute("#/approvals/s1-a1").view, "not_found");
});

Deno.test("formatRoute() round-trips through parseRoute()", () => {
  const routes = [
    "#/",
    "#/sessions",
    "#/stats?session=b647aabc-0000&server=files",
    "#/policy",
    "#/approvals",
    "#/call/b647aabc-1234/9?decision=deny",
    "#/?server=my+server&q=rm+-rf",
  ];
  for (const hash of routes) equal(formatRoute(parseRoute(hash)), hash);
});

Deno.test("formatRoute() encodes session ids and leaves empty parameters out", () => {
  equal(formatRoute(callRoute("a/b", 3)), "#/call/a%2Fb/3");
  equal(formatRoute({ view: "stats", query: { server: "", session: "s1" } }), "#/stats?session=s1");
});

Deno.test("activityRoute() writes the filter in a fixed order so links are canonical", () => {
  equal(
    formatRoute(activityRoute({ risk: 7, decision: "deny", server: "files", session: "s1" })),
    "#/?session=s1&server=files&decision=deny&risk=7",
  );
  assertEquals(queryOfFilter({ q: "", tool: "echo" }), { tool: "echo" });
});

Deno.test("the approvals view has a tab and a canonical link", () => {
  equal(TABS.includes("approvals"), true);
  equal(formatRoute({ view: "approvals", query: {} }), APPROVALS_HREF);
  equal(parseRoute(APPROVALS_HREF).view, "approvals");
});

Deno.test("the tool catalogue's route carries the server open", () => {
  const route = parseRoute("#/tools?server=0123456789abcdef0123456789abcdef");
  assertEquals(route, {
    view: "tools",
    query: { server: "0123456789abcdef0123456789abcdef" },
  });
  equal(formatRoute(route), "#/tools?server=0123456789abcdef0123456789abcdef");
  equal(TABS.includes("tools"), true);
});
