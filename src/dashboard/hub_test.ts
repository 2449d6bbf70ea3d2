import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { Hub } from "./hub.ts";

Deno.test("hub: subscribers get events in order, in batches", async () => {
  const hub = new Hub();
  const sub = hub.subscribe();
  hub.publish("record", { n: 1 });
  hub.publish("record", { n: 2 });
  assertEquals(await sub.take(), [
    { event: "record", data: '{"n":1}' },
    { event: "record", data: '{"n":2}' },
  ]);
  const waiting = sub.take();
  hub.publish("session", { id: "s" });
  assertEquals(await waiting, [{ event: "session", data: '{"id":"s"}' }]);
  sub.close();
  equal(hub.size, 0);
});

Deno.test("hub: a subscriber that falls behind is closed, not grown", async () => {
  const hub = new Hub(3);
  const slow = hub.subscribe();
  for (let i = 0; i < 5; i++) hub.publish("record", i);
  equal(slow.closed, true);
  equal(hub.size, 0);
  assertEquals(await slow.take(), [
    { event: "record", data: "0" },
    { event: "record", data: "1" },
    { event: "record", data: "2" },
  ]);
});
