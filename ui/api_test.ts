import { deepStrictEqual as assertEquals, equal, rejects } from "node:assert/strict";
import {
  answerApproval,
  ApiFailure,
  getApprovals,
  getRecords,
  getStats,
  subscribeEvents,
  UNAUTHORIZED_MESSAGE,
} from "./api.ts";

/** Replaces fetch for one test; returns the URLs asked for and the requests' options. */
function stubFetch(
  respond: (url: string) => Response,
): { urls: string[]; inits: (RequestInit | undefined)[]; restore(): void } {
  const original = globalThis.fetch;
  const urls: string[] = [];
  const inits: (RequestInit | undefined)[] = [];
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    urls.push(url);
    inits.push(init);
    return Promise.resolve(respond(url));
  }) as typeof fetch;
  return { urls, inits, restore: () => (globalThis.fetch = original) };
}

Deno.test("getRecords() writes the filter and the page cursor as query parameters", async () => {
  const stub = stubFetch(() => Response.json({ records: [], total: 0 }));
  try {
    await getRecords({ server: "files", decision: "deny" }, { before: "s1/9", limit: 50 });
    await getStats({ session: "s1", server: undefined });
    assertEquals(stub.urls, [
      "/api/records?server=files&decision=deny&before=s1%2F9&limit=50",
      "/api/stats?session=s1",
    ]);
  } finally {
    stub.restore();
  }
});

Deno.test("API errors carry the status and the server's {error} message", async () => {
  const stub = stubFetch((url) =>
    url.includes("records")
      ? Response.json({ error: '"risk" must be a number from 0 to 10' }, { status: 400 })
      : Response.json({ error: "token" }, { status: 401 })
  );
  try {
    await rejects(getRecords({}), (e: unknown) => {
      equal(e instanceof ApiFailure && e.status, 400);
      equal((e as Error).message, '400: "risk" must be a number from 0 to 10');
      return true;
    });
    await rejects(getStats({}), (e: unknown) => {
      equal((e as ApiFailure).status, 401);
      equal((e as Error).message, UNAUTHORIZED_MESSAGE);
      return true;
    });
  } finally {
    stub.restore();
  }
});

Deno.test("answerApproval() posts the answer as JSON to the encoded approval id", async () => {
  const stub = stubFetch(() =>
    Response.json({ id: "s 1-a1", answer: "approve_session" }, { status: 202 })
  );
  try {
    await getApprovals();
    const accepted = await answerApproval("s 1-a1", "approve_session");
    assertEquals(accepted, { id: "s 1-a1", answer: "approve_session" });
    assertEquals(stub.urls, ["/api/approvals", "/api/approvals/s%201-a1"]);
    const init = stub.inits[1];
    equal(init?.method, "POST");
    equal(init?.credentials, "same-origin");
    equal(init?.body, '{"answer":"approve_session"}');
    assertEquals(init?.headers, {
      accept: "application/json",
      "content-type": "application/json",
    });
    equal(stub.inits[0]?.method, "GET");
    equal(stub.inits[0]?.body, undefined);
  } finally {
    stub.restore();
  }
});

Deno.test("answerApproval() fails with the status: 404 for an approval that ended", async () => {
  const stub = stubFetch((url) =>
    url.endsWith("gone")
      ? Response.json({ error: "no pending approval gone" }, { status: 404 })
      : Response.json({ error: "cross-origin requests are refused" }, { status: 403 })
  );
  try {
    await rejects(answerApproval("gone", "deny"), (e: unknown) => {
      equal(e instanceof ApiFailure && e.status, 404);
      return true;
    });
    await rejects(answerApproval("x", "deny"), (e: unknown) => {
      equal((e as ApiFailure).status, 403);
      equal((e as Error).message, "403: cross-origin requests are refused");
      return true;
    });
  } finally {
    stub.restore();
  }
});

/** A stand-in EventSource the test drives by hand. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }
  emit(type: string, data?: unknown) {
    if (type === "open") this.readyState = 1;
    const event = data === undefined
      ? new Event(type)
      : new MessageEvent(type, { data: JSON.stringify(data) });
    this.dispatchEvent(event);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

Deno.test("subscribeEvents() delivers events and reconnects after the stream gives up", async () => {
  const original = globalThis.EventSource;
  globalThis.EventSource = FakeEventSource as unknown as typeof EventSource;
  FakeEventSource.instances = [];
  const seen: string[] = [];
  const stop = subscribeEvents({
    status: (s) => seen.push(`status ${s}`),
    hello: (h, again) => seen.push(`hello ${h.records} ${again}`),
    record: (r) => seen.push(`record ${r.key}`),
    session: (s) => seen.push(`session ${s.id}`),
    approval: (a) => seen.push(`approval ${a.id}`),
    approvalDone: (d) => seen.push(`approval_done ${d.id} ${d.outcome}`),
  }, { minDelayMs: 1 });
  try {
    const first = FakeEventSource.instances[0];
    first.emit("open");
    first.emit("hello", { version: "0.1.0", logDir: "/logs", records: 7 });
    first.emit("record", { key: "s1/1" });
    first.dispatchEvent(new MessageEvent("record", { data: "{not json" }));
    first.emit("session", { id: "s1" });
    first.emit("approval", { id: "s1-a1" });
    first.emit("approval_done", { id: "s1-a1", outcome: "deny" });
    first.readyState = FakeEventSource.CLOSED; // e.g. the server answered 401 or went away
    first.emit("error");
    await new Promise((resolve) => setTimeout(resolve, 20));
    equal(first.closed, true);
    const second = FakeEventSource.instances[1];
    equal(second.url, "/api/events");
    second.emit("hello", { version: "0.1.0", logDir: "/logs", records: 9 });
    assertEquals(seen, [
      "status connecting",
      "status open",
      "hello 7 false",
      "record s1/1",
      "session s1",
      "approval s1-a1",
      "approval_done s1-a1 deny",
      "status reconnecting",
      "status reconnecting",
      "status open",
      "hello 9 true",
    ]);
  } finally {
    stop();
    globalThis.EventSource = original;
  }
  equal(FakeEventSource.instances[1].closed, true);
});
