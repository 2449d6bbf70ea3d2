import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import {
  answerApproval,
  ApiFailure,
  getApprovals,
  getRecords,
  getStats,
  subscribeEvents,
  UNAUTHORIZED_MESSAGE,
} from "./api.ts";
import { setToken } from "./token.ts";

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

Deno.test("answerApproval() posts the answer as JSON, with the token as a Bearer header", async () => {
  setToken("tok", undefined);
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
    equal(init?.credentials, "omit", "no cookie is sent");
    equal(init?.body, '{"answer":"approve_session"}');
    assertEquals(init?.headers, {
      accept: "application/json",
      "content-type": "application/json",
      authorization: "Bearer tok",
    });
    equal(stub.inits[0]?.method, "GET");
    assertEquals(stub.inits[0]?.headers, {
      accept: "application/json",
      authorization: "Bearer tok",
    });
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

/** A stand-in for `/api/events`: each fetch gets the next script of chunks, then the end. */
function stubEvents(scripts: (string[] | number)[]) {
  const original = globalThis.fetch;
  const inits: (RequestInit | undefined)[] = [];
  const urls: string[] = [];
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    urls.push(String(input));
    inits.push(init);
    const script = scripts.shift() ?? [];
    if (typeof script === "number") {
      return Promise.resolve(Response.json({ error: "token" }, { status: script }));
    }
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of script) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "text/event-stream" } }),
    );
  }) as typeof fetch;
  return { urls, inits, restore: () => (globalThis.fetch = original) };
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

Deno.test("subscribeEvents() reads the stream with the token header and reconnects after it ends", async () => {
  setToken("tok", undefined);
  const first = sse("hello", { version: "0.1.0", logDir: "/logs", records: 7 }) +
    sse("record", { key: "s1/1" }) + "event: record\ndata: {not json\n\n: ping\n\n" +
    sse("session", { id: "s1" }) + sse("approval", { id: "s1-a1" });
  const stub = stubEvents([
    [first.slice(0, 50), first.slice(50), sse("approval_done", { id: "s1-a1", outcome: "deny" })],
    401, // e.g. km ui restarted with a new token
    [sse("hello", { version: "0.1.0", logDir: "/logs", records: 9 })],
  ]);
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
    for (let i = 0; i < 100 && !seen.includes("hello 9 true"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assertEquals(seen.slice(0, 7), [
      "status connecting",
      "status open",
      "hello 7 false",
      "record s1/1",
      "session s1",
      "approval s1-a1",
      "approval_done s1-a1 deny",
    ]);
    // The stream ended, then was refused: reconnecting, until the third stream's hello.
    const again = seen.indexOf("hello 9 true");
    ok(again > 8, seen.join("\n"));
    ok(seen.slice(7, again - 1).every((s) => s === "status reconnecting"), seen.join("\n"));
    equal(seen[again - 1], "status open");
    assertEquals(stub.urls.slice(0, 3), ["/api/events", "/api/events", "/api/events"]);
    for (const init of stub.inits) {
      assertEquals(init?.headers, { accept: "text/event-stream", authorization: "Bearer tok" });
      equal(init?.credentials, "omit");
    }
  } finally {
    stop();
    stub.restore();
  }
});
