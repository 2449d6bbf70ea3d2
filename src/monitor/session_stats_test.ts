import { equal } from "node:assert/strict";
import { percentile, SessionStats } from "./session_stats.ts";

Deno.test("percentile uses the nearest rank", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  equal(percentile(samples, 0.5), 50);
  equal(percentile(samples, 0.95), 95);
  equal(percentile(samples, 1), 100);
  equal(percentile([], 0.5), undefined);
});

Deno.test("SessionStats counts kinds, bytes and drops per direction", () => {
  const s = new SessionStats();
  s.count("client_to_server", "request", 10, true);
  s.count("client_to_server", "request", 5, true);
  s.count("client_to_server", "oversized", 100, false);
  s.count("server_to_client", "response", 7, true);
  const c = s.directions.client_to_server;
  equal(c.messages, 3);
  equal(c.bytes, 115);
  equal(c.byKind.request, 2);
  equal(c.dropped, 1);
  equal(s.directions.server_to_client.byKind.response, 1);
});

Deno.test("SessionStats keeps a bounded latency sample", () => {
  const s = new SessionStats(() => 0.999999);
  for (let i = 0; i < 20_000; i++) s.latency(1);
  s.latency(1000);
  equal(s.percentile(1), 1);
});

Deno.test("SessionStats: a held message counts as forwarded once its approval sends it on", () => {
  const s = new SessionStats();
  s.count("client_to_server", "request", 10, false);
  s.held("client_to_server", "a1");
  equal(s.directions.client_to_server.dropped, 1, "not forwarded while held");
  s.released("a1", true);
  equal(s.directions.client_to_server.dropped, 0);
  s.released("a1", true);
  equal(s.directions.client_to_server.dropped, 0, "an approval ends once");
});

Deno.test("SessionStats: a held message its approval blocks, or that is still held, is not forwarded", () => {
  const s = new SessionStats();
  s.count("client_to_server", "request", 10, false);
  s.held("client_to_server", "a1");
  s.released("a1", false);
  s.count("server_to_client", "request", 10, false);
  s.held("server_to_client", "a2");
  equal(s.directions.client_to_server.dropped, 1);
  equal(s.directions.server_to_client.dropped, 1);
});

Deno.test("SessionStats: a retry held after its approval ended is counted as that approval applied", () => {
  const s = new SessionStats();
  s.released("a1", true);
  s.released("a2", false);
  s.count("client_to_server", "request", 10, false);
  s.held("client_to_server", "a1");
  s.count("client_to_server", "request", 10, false);
  s.held("client_to_server", "a2");
  equal(s.directions.client_to_server.dropped, 1);
});
