import { deepStrictEqual as assertEquals, equal, match } from "node:assert/strict";
import type { ApprovalDone, PendingApproval } from "../approval/types.ts";
import { answeredBy, ApprovalRegistry, browserName } from "./approvals.ts";
import { pending, SESSION_A, SESSION_B, T0 } from "./_testing.ts";

function setup(options: { max?: number } = {}) {
  const events: { event: string; value: unknown }[] = [];
  let now = T0;
  const registry = new ApprovalRegistry(
    { publish: (event, value) => events.push({ event, value }) },
    { maxPendingPerConnection: options.max, now: () => now },
  );
  const monitor = (session: string) => {
    const sent: unknown[] = [];
    const link = registry.connect((text) => sent.push(JSON.parse(text)));
    link.receive(JSON.stringify({ type: "hello", session, server: "files", pid: 42 }));
    return { link, sent };
  };
  return { registry, events, monitor, advance: (ms: number) => now += ms };
}

const pendingFrame = (approval: PendingApproval) => JSON.stringify({ type: "pending", approval });
const doneFrame = (done: ApprovalDone) => JSON.stringify({ type: "done", done });

Deno.test("approvals: pending approvals are listed oldest first and published", () => {
  const { registry, events, monitor } = setup();
  const a = monitor(SESSION_A);
  const b = monitor(SESSION_B);
  equal(a.link.session, SESSION_A);
  a.link.receive(pendingFrame(pending(SESSION_A, 1, T0 + 20)));
  b.link.receive(pendingFrame(pending(SESSION_B, 1, T0 + 10)));
  assertEquals(registry.list().map((p) => p.id), [`${SESSION_B}-a1`, `${SESSION_A}-a1`]);
  assertEquals(events, [
    { event: "approval", value: pending(SESSION_A, 1, T0 + 20) },
    { event: "approval", value: pending(SESSION_B, 1, T0 + 10) },
  ]);
  equal(registry.connections, 2);
  equal(registry.ignored, 0);
});

Deno.test("approvals: an answer goes to the monitor that holds the approval, once", () => {
  const { registry, monitor } = setup();
  const a = monitor(SESSION_A);
  const b = monitor(SESSION_B);
  a.link.receive(pendingFrame(pending(SESSION_A, 1)));
  const id = `${SESSION_A}-a1`;
  equal(registry.answer(id, "approve_session", "dashboard at 127.0.0.1:7411 (Chrome)"), true);
  assertEquals(a.sent, [{
    type: "answer",
    id,
    answer: "approve_session",
    by: "dashboard at 127.0.0.1:7411 (Chrome)",
  }]);
  assertEquals(b.sent, []);
  equal(registry.answer(id, "deny", "someone else"), false, "answered already");
  equal(registry.answer("nope", "deny", "x"), false, "unknown");
  equal(a.sent.length, 1);
  equal(registry.list().length, 1, "pending until the monitor says done");
});

Deno.test("approvals: an answer the socket cannot send is refused", () => {
  const { registry } = setup();
  const link = registry.connect(() => {
    throw new Error("closed");
  });
  link.receive(JSON.stringify({ type: "hello", session: SESSION_A, server: "s", pid: 1 }));
  link.receive(pendingFrame(pending(SESSION_A, 1)));
  equal(registry.answer(`${SESSION_A}-a1`, "approve", "x"), false);
});

Deno.test("approvals: done removes the approval and publishes how it ended", () => {
  const { registry, events, monitor } = setup();
  const a = monitor(SESSION_A);
  a.link.receive(pendingFrame(pending(SESSION_A, 1)));
  const done: ApprovalDone = {
    id: `${SESSION_A}-a1`,
    session: SESSION_A,
    outcome: "deny",
    channel: "client",
    by: "the client (claude 1.2)",
    latencyMs: 1200,
  };
  a.link.receive(doneFrame(done));
  assertEquals(registry.list(), []);
  assertEquals(events.at(-1), { event: "approval_done", value: done });
  equal(registry.answer(done.id, "approve", "x"), false, "ended");
  a.link.receive(doneFrame(done));
  equal(registry.ignored, 1, "a second done is ignored");
});

Deno.test("approvals: a closed connection ends its approvals as closed, and only its own", () => {
  const { registry, events, monitor, advance } = setup();
  const a = monitor(SESSION_A);
  const b = monitor(SESSION_B);
  a.link.receive(pendingFrame(pending(SESSION_A, 1)));
  a.link.receive(pendingFrame(pending(SESSION_A, 2)));
  b.link.receive(pendingFrame(pending(SESSION_B, 1)));
  advance(3000);
  a.link.close();
  a.link.close();
  assertEquals(registry.list().map((p) => p.id), [`${SESSION_B}-a1`]);
  assertEquals(
    events.slice(3),
    [1, 2].map((n) => ({
      event: "approval_done",
      value: {
        id: `${SESSION_A}-a${n}`,
        session: SESSION_A,
        outcome: "closed",
        channel: "dashboard",
        by: `the km monitor of session ${SESSION_A} disconnected`,
        latencyMs: 3000,
      },
    })),
  );
  equal(registry.connections, 1);
  a.link.receive(pendingFrame(pending(SESSION_A, 3)));
  equal(registry.size, 1, "a closed connection is deaf");
});

Deno.test("approvals: malformed and out-of-place frames are ignored and counted", () => {
  const { registry, events, monitor } = setup();
  const early = registry.connect(() => {});
  early.receive(pendingFrame(pending(SESSION_A, 1)));
  match(registry.lastIgnored, /before hello/);
  const a = monitor(SESSION_A);
  const b = monitor(SESSION_B);
  const { risk: _, ...noRisk } = pending(SESSION_A, 4);
  const frames: [typeof a, string | ArrayBuffer, RegExp][] = [
    [a, "not json", /not a monitor frame: not json/],
    [a, new ArrayBuffer(4), /binary frame/],
    [a, JSON.stringify({ type: "answer", id: "x", answer: "approve", by: "me" }), /not a monitor/],
    [a, JSON.stringify({ type: "hello", session: SESSION_B, server: "s", pid: 1 }), /second hello/],
    [a, pendingFrame({ ...pending(SESSION_A, 2), direction: "up" as never }), /lacks fields/],
    [a, pendingFrame({ ...pending(SESSION_A, 2), reasons: [1] as never }), /lacks fields/],
    [a, pendingFrame(pending(SESSION_B, 2)), /of session .* on /],
    [b, doneFrame({ ...pending(SESSION_A, 3), outcome: "deny" } as never), /not pending on this/],
  ];
  a.link.receive(pendingFrame(pending(SESSION_A, 3)));
  for (const [monitor, frame, reason] of frames) {
    monitor.link.receive(frame);
    match(registry.lastIgnored, reason);
  }
  a.link.receive(pendingFrame(pending(SESSION_A, 3)));
  match(registry.lastIgnored, /pending already/);
  a.link.receive(doneFrame({ id: `${SESSION_A}-a3`, outcome: "maybe" } as never));
  match(registry.lastIgnored, /lacks fields of an ApprovalDone/);
  equal(registry.ignored, frames.length + 3);
  assertEquals(registry.list().map((p) => p.id), [`${SESSION_A}-a3`]);
  equal(events.length, 1);
  // Lists and risk a monitor leaves out are empty and zero; unknown fields are dropped.
  a.link.receive(pendingFrame({ ...noRisk, labels: undefined, extra: 1 } as never));
  assertEquals(registry.get(`${SESSION_A}-a4`), { ...pending(SESSION_A, 4), risk: 0, labels: [] });
});

Deno.test("approvals: what the monitor masked in the arguments reaches the page; a bad list is refused", () => {
  const { registry, monitor } = setup();
  const a = monitor(SESSION_A);
  const masked = [{ path: "env.KEY", kind: "aws_access_key_id", chars: 20 }];
  a.link.receive(pendingFrame({ ...pending(SESSION_A, 1), masked }));
  assertEquals(registry.get(`${SESSION_A}-a1`), { ...pending(SESSION_A, 1), masked });
  // A page must be able to say what was masked: a mistyped list is not shown without it.
  a.link.receive(pendingFrame({ ...pending(SESSION_A, 2), masked: [{ path: 1 }] as never }));
  match(registry.lastIgnored, /lacks fields/);
  a.link.receive(pendingFrame({ ...pending(SESSION_A, 3), masked: [] }));
  assertEquals(registry.get(`${SESSION_A}-a3`), pending(SESSION_A, 3));
});

Deno.test("approvals: pending approvals per connection are bounded", () => {
  const { registry, monitor } = setup({ max: 2 });
  const a = monitor(SESSION_A);
  for (let n = 1; n <= 3; n++) a.link.receive(pendingFrame(pending(SESSION_A, n)));
  equal(registry.size, 2);
  match(registry.lastIgnored, /over 2 pending approvals/);
  a.link.receive(doneFrame({
    id: `${SESSION_A}-a1`,
    session: SESSION_A,
    outcome: "timeout",
    channel: "km",
    by: "km (timed out)",
    latencyMs: 45_000,
  }));
  a.link.receive(pendingFrame(pending(SESSION_A, 3)));
  equal(registry.size, 2);
  equal(registry.ignored, 1);
});

Deno.test("approvals: who answered, with a short browser name", () => {
  const cases: [string | undefined, string | undefined][] = [
    [
      "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
      "Firefox",
    ],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
      "Chrome",
    ],
    [
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36",
      "Chrome",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
      "Edge",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
      "Safari",
    ],
    ["curl/8.5.0", "curl"],
    ["Deno/2.9.6", "Deno"],
    ["???", undefined],
    [undefined, undefined],
  ];
  for (const [ua, name] of cases) equal(browserName(ua), name, ua);
  equal(answeredBy(7411, "curl/8.5.0"), "dashboard at 127.0.0.1:7411 (curl)");
  equal(answeredBy(7411, undefined), "dashboard at 127.0.0.1:7411");
});
