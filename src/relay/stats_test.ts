import { equal } from "node:assert/strict";
import { percentile, SessionStats } from "./stats.ts";

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
