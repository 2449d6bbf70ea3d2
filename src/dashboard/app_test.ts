import { deepStrictEqual as assertEquals, equal, match, ok } from "node:assert/strict";
import type {
  AnswerAccepted,
  ApprovalList,
  RecordDetail,
  RecordPage,
  SessionList,
  StatsReport,
} from "./api_types.ts";
import { createApp } from "./app.ts";
import { ApprovalRegistry } from "./approvals.ts";
import { Hub } from "./hub.ts";
import { LogIndex } from "./log_index.ts";
import { LogSource } from "./log_source.ts";
import {
  approvalRecords,
  jsonl,
  pending,
  rec,
  SESSION_A,
  SESSION_B,
  sessionRecords,
} from "./_testing.ts";

const PORT = 7411;
const TOKEN = "t".repeat(43);
const HOST = `127.0.0.1:${PORT}`;
const AUTH = { host: HOST, authorization: `Bearer ${TOKEN}` };

interface Parts {
  readonly dir: string;
  readonly approvals: ApprovalRegistry;
  /** Requests the monitor route passed on to be upgraded. */
  readonly upgrades: Request[];
}

async function withApp(
  fn: (app: ReturnType<typeof createApp>, dir: string, parts: Parts) => Promise<void>,
  extraRecords: readonly Record<string, unknown>[] = [],
) {
  const dir = await Deno.makeTempDir({ prefix: "km-ui-test-" });
  await Deno.writeTextFile(
    `${dir}/a.jsonl`,
    jsonl([...sessionRecords(SESSION_A, "alpha"), ...extraRecords]),
  );
  await Deno.writeTextFile(`${dir}/b.jsonl`, jsonl(sessionRecords(SESSION_B, "beta", 500)));
  await Deno.writeTextFile(`${dir}/notes.txt`, "not a log");
  const index = new LogIndex({ maxRecords: 1000, isAlive: () => false });
  const hub = new Hub();
  const source = new LogSource(dir, index, {
    onRecord: (s) => hub.publish("record", s),
    pollMs: 50,
  });
  await source.start();
  const approvals = new ApprovalRegistry(hub);
  const upgrades: Request[] = [];
  const app = createApp({
    index,
    read: (entry) => source.read(entry),
    hub,
    token: TOKEN,
    port: () => PORT,
    version: "test",
    logDir: dir,
    assets: { js: "console.log(1)", css: "body{}", hash: "abc" },
    keepAliveMs: 60_000,
    approvals,
    acceptMonitor: (request) => {
      upgrades.push(request);
      return new Response("upgraded");
    },
  });
  try {
    await fn(app, dir, { dir, approvals, upgrades });
  } finally {
    hub.closeAll();
    await source.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const get = (
  app: ReturnType<typeof createApp>,
  path: string,
  headers: Record<string, string> = AUTH,
) => app.request(path, { headers });

async function json<T>(response: Response, status = 200): Promise<T> {
  const body = await response.json();
  equal(response.status, status, JSON.stringify(body));
  return body as T;
}

Deno.test("ui app: every API call needs Authorization: Bearer; the page holds no data and needs none", async () => {
  await withApp(async (app) => {
    for (const path of ["/api/records", "/api/sessions", "/api/events", "/api/approvals"]) {
      const response = await get(app, path, { host: HOST });
      equal(response.status, 401, path);
      match((await response.json()).error, /Authorization: Bearer/);
    }
    const api = await get(app, "/api/sessions", { host: HOST, authorization: "Bearer wrong" });
    match((await json<{ error: string }>(api, 401)).error, /km ui --open/);
    // The page and its script are the same for everyone: they carry no token and no records.
    for (const path of ["/", "/assets/app.js", "/assets/app.css"]) {
      const response = await get(app, path, { host: HOST });
      equal(response.status, 200, path);
      await response.body?.cancel();
    }
    const page = await get(app, "/", { host: HOST });
    match(await page.text(), /<script type="module" src="\/assets\/app.js">/);
  });
});

Deno.test("ui app: no cookie is set or accepted, and ?token= opens nothing", async () => {
  await withApp(async (app) => {
    // A cookie of 127.0.0.1 reaches every local web server, whatever its port: never use one.
    for (const path of ["/", `/?token=${TOKEN}`, "/api/sessions", "/assets/app.js"]) {
      const response = await get(app, path, { ...AUTH });
      equal(response.headers.get("set-cookie"), null, path);
      await response.body?.cancel();
    }
    const old = await get(app, `/?token=${TOKEN}`, { host: HOST });
    equal(old.status, 200, "the page, not a redirect that trades the token for a cookie");
    equal(old.headers.get("set-cookie"), null);
    await old.body?.cancel();
    for (const cookie of [`km_token_${PORT}=${TOKEN}`, `km_token=${TOKEN}`]) {
      const response = await get(app, "/api/sessions", { host: HOST, cookie });
      equal(response.status, 401, cookie);
      await response.body?.cancel();
    }
    for (const path of [`/api/sessions?token=${TOKEN}`, `/api/events?token=${TOKEN}`]) {
      const response = await get(app, path, { host: HOST });
      equal(response.status, 401, path);
      await response.body?.cancel();
    }
  });
});

Deno.test("ui app: foreign Host, foreign Origin, cross-site and mutating requests are refused", async () => {
  await withApp(async (app) => {
    const cases: [string, RequestInit, number, RegExp][] = [
      ["/api/sessions", { headers: { ...AUTH, host: "evil.example:7411" } }, 403, /Host must be/],
      ["/api/sessions", { headers: { ...AUTH, host: "127.0.0.1:9999" } }, 403, /Host must be/],
      ["/api/sessions", { headers: { ...AUTH, origin: "http://evil.example" } }, 403, /origin/],
      ["/api/sessions", { headers: { ...AUTH, origin: "null" } }, 403, /origin/],
      [
        "/api/sessions",
        { headers: { ...AUTH, "sec-fetch-site": "cross-site" } },
        403,
        /cross-site/,
      ],
      ["/api/sessions", { method: "POST", headers: AUTH }, 405, /read-only but for answering/],
      ["/api/sessions", { method: "DELETE", headers: AUTH }, 405, /read-only/],
    ];
    for (const [path, init, status, message] of cases) {
      const body = await json<{ error: string }>(await app.request(path, init), status);
      match(body.error, message);
    }
    const own = await get(app, "/api/sessions", { ...AUTH, origin: `http://${HOST}` });
    equal(own.status, 200);
    await own.body?.cancel();
  });
});

Deno.test("ui app: every response carries the CSP and no CORS header", async () => {
  await withApp(async (app) => {
    for (
      const [path, headers] of [["/", AUTH], ["/api/sessions", AUTH], ["/", { host: HOST }], [
        "/x",
        { host: "evil.example" },
      ]] as const
    ) {
      const response = await get(app, path, headers);
      await response.body?.cancel();
      match(
        response.headers.get("content-security-policy")!,
        /default-src 'none'; script-src 'self'/,
      );
      equal(response.headers.get("x-frame-options"), "DENY");
      equal(response.headers.get("x-content-type-options"), "nosniff");
      equal(response.headers.get("access-control-allow-origin"), null);
    }
  });
});

Deno.test("ui app: assets with an ETag", async () => {
  await withApp(async (app) => {
    const js = await get(app, "/assets/app.js");
    equal(js.status, 200);
    match(js.headers.get("content-type")!, /^text\/javascript/);
    equal(await js.text(), "console.log(1)");
    const again = await get(app, "/assets/app.css", { ...AUTH, "if-none-match": '"abc"' });
    equal(again.status, 304);
  });
});

Deno.test("ui app: records, filtered and paged, with clear 400s", async () => {
  await withApp(async (app) => {
    const page = await json<RecordPage>(await get(app, "/api/records?limit=4"));
    equal(page.total, 18);
    equal(page.records.length, 4);
    const older = await json<RecordPage>(
      await get(app, `/api/records?limit=100&before=${encodeURIComponent(page.next!)}`),
    );
    equal(older.records.length, 14);
    const denied = await json<RecordPage>(
      await get(app, "/api/records?decision=deny&server=alpha"),
    );
    assertEquals(denied.records.map((r) => [r.tool, r.reasons]), [
      ["run_shell", ["shell commands are not allowed"]],
    ]);
    const bad: [string, RegExp][] = [
      ["/api/records?limit=0", /"limit" must be a whole number from 1 to 1000/],
      ["/api/records?limit=abc", /"limit"/],
      ["/api/records?risk=high", /"risk" must be a number from 0 to 10/],
      ["/api/records?direction=sideways", /"direction" must be one of/],
      ["/api/records?colour=red", /unknown parameter "colour"; known: /],
      ["/api/records?before=nope", /"before" names no record/],
      ["/api/stats?since=yesterday", /"since" must be epoch milliseconds or an RFC 3339 time/],
      ["/api/stats?decision=deny", /unknown parameter "decision"/],
      [`/api/records/${SESSION_A}/x`, /seq must be a whole number/],
    ];
    for (const [path, message] of bad) {
      match((await json<{ error: string }>(await get(app, path), 400)).error, message);
    }
    match(
      (await json<{ error: string }>(await get(app, "/api/records/nope/1"), 404)).error,
      /no record/,
    );
    match(
      (await json<{ error: string }>(await get(app, "/api/nothing"), 404)).error,
      /no such API route/,
    );
  });
});

Deno.test("ui app: call detail pairs request and response, with stderr nearby", async () => {
  await withApp(async (app) => {
    for (const seq of [4, 6]) {
      const detail = await json<RecordDetail>(await get(app, `/api/records/${SESSION_A}/${seq}`));
      equal(detail.summary.seq, seq);
      equal((detail.request as { seq: number }).seq, 4);
      equal((detail.response as { seq: number }).seq, 6);
      assertEquals(
        (detail.request as { message: { params: unknown } }).message.params,
        { name: "echo", arguments: { message: "hello world" } },
      );
      assertEquals(detail.stderr.map((s) => s.preview), ["echo called"]);
    }
    const denied = await json<RecordDetail>(await get(app, `/api/records/${SESSION_A}/7`));
    equal(denied.response, undefined);
    equal((denied.record as { result: { action: string } }).result.action, "deny");
  });
});

Deno.test("ui app: sessions, stats and policy", async () => {
  await withApp(async (app) => {
    const { sessions } = await json<SessionList>(await get(app, "/api/sessions"));
    assertEquals(sessions.map((s) => s.server), ["beta", "alpha"]);
    const stats = await json<StatsReport>(await get(app, `/api/stats?session=${SESSION_A}`));
    equal(stats.servers[0].calls, 3);
    const policy = await json<{ events: unknown[] }>(await get(app, "/api/policy"));
    equal(policy.events.length, 2);
  });
});

Deno.test("ui app: server-sent events deliver a new record within half a second", async () => {
  await withApp(async (app, dir) => {
    const response = await get(app, "/api/events");
    equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += value;
      }
    };
    await until(/event: hello\ndata: .*"records":18/);
    const started = performance.now();
    await Deno.writeTextFile(
      `${dir}/a.jsonl`,
      JSON.stringify(rec(SESSION_A, 10, 5000, { type: "stderr", text: "late line" })) + "\n",
      { append: true },
    );
    await until(/event: record\ndata: .*late line/);
    const ms = performance.now() - started;
    ok(ms < 500, `took ${ms} ms`);
    await reader.cancel();
  });
});

const ORIGIN = `http://${HOST}`;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
/** What the dashboard's page sends with an answer: the Bearer token, own Origin, JSON. */
const PAGE = {
  host: HOST,
  authorization: `Bearer ${TOKEN}`,
  origin: ORIGIN,
  "sec-fetch-site": "same-origin",
  "content-type": "application/json",
  "user-agent": FIREFOX,
};
const ID = `${SESSION_A}-a1`;

/** A monitor of SESSION_A with approval 1 pending; returns the frames sent to it. */
function monitorWithPending(approvals: ApprovalRegistry): unknown[] {
  const sent: unknown[] = [];
  const link = approvals.connect((text) => sent.push(JSON.parse(text)));
  link.receive(JSON.stringify({ type: "hello", session: SESSION_A, server: "files", pid: 1 }));
  link.receive(JSON.stringify({ type: "pending", approval: pending(SESSION_A, 1) }));
  return sent;
}

const answer = (
  app: ReturnType<typeof createApp>,
  body: string,
  headers: Record<string, string> = PAGE,
  path = `/api/approvals/${ID}`,
) => app.request(path, { method: "POST", headers, body });

Deno.test("ui app: pending approvals are listed; an answer from the page reaches the monitor", async () => {
  await withApp(async (app, _dir, { approvals }) => {
    const empty = await json<ApprovalList>(await get(app, "/api/approvals"));
    assertEquals(empty, { approvals: [] });
    const sent = monitorWithPending(approvals);
    const list = await json<ApprovalList>(await get(app, "/api/approvals"));
    assertEquals(list, { approvals: [pending(SESSION_A, 1)] });
    const accepted = await json<AnswerAccepted>(
      await answer(app, JSON.stringify({ answer: "approve_session" })),
      202,
    );
    assertEquals(accepted, { id: ID, answer: "approve_session" });
    assertEquals(sent, [{
      type: "answer",
      id: ID,
      answer: "approve_session",
      by: `dashboard at 127.0.0.1:${PORT} (Firefox)`,
    }]);
    // Sec-Fetch-Site may be absent (older browsers).
    const { "sec-fetch-site": _, ...older } = PAGE;
    const again = await answer(app, '{"answer":"deny"}', older);
    match((await json<{ error: string }>(again, 404)).error, /unknown, answered or ended/);
    equal(sent.length, 1);
  });
});

Deno.test("ui app: answers are refused unless they come from the page, well formed", async () => {
  await withApp(async (app, _dir, { approvals }) => {
    const sent = monitorWithPending(approvals);
    const body = JSON.stringify({ answer: "approve" });
    const { origin: _, ...noOrigin } = PAGE;
    const { authorization: __, ...noBearer } = PAGE;
    const cookie = { ...noBearer, cookie: `km_token_${PORT}=${TOKEN}` };
    const cases: [string, Record<string, string>, number, RegExp, string?][] = [
      [body, noOrigin, 403, /an Origin header is required/],
      [body, { ...PAGE, origin: "http://evil.example" }, 403, /origin http:\/\/evil.example/],
      [body, { ...PAGE, origin: "http://127.0.0.1:1" }, 403, /not allowed/],
      [body, { ...PAGE, "sec-fetch-site": "cross-site" }, 403, /cross-site/],
      [body, { ...PAGE, "sec-fetch-site": "same-site" }, 403, /must be same-origin/],
      [body, { ...PAGE, host: "evil.example:7411" }, 403, /Host must be/],
      [body, noBearer, 401, /Authorization: Bearer/],
      [body, cookie, 401, /cookies and \?token= are not accepted/],
      [body, noBearer, 401, /Authorization: Bearer/, `/api/approvals/${ID}?token=${TOKEN}`],
      [
        body,
        { ...PAGE, "content-type": "text/plain" },
        415,
        /application\/json; got "text\/plain"/,
      ],
      [body, { ...PAGE, "content-type": "" }, 415, /got none/],
      [JSON.stringify({ answer: "approve", pad: "x".repeat(5000) }), PAGE, 413, /at most 4096/],
      ["{", PAGE, 400, /must be JSON: \{"answer": "approve" \| "approve_session" \| "deny"\}/],
      ["[]", PAGE, 400, /must be a JSON object/],
      ['{"answer":"yes"}', PAGE, 400, /"answer" must be one of "approve", .*; got "yes"/],
      ["{}", PAGE, 400, /"answer" must be one of .*; got none/],
      ['{"answer":"deny","why":1}', PAGE, 400, /unknown field "why"/],
      [body, PAGE, 404, /no pending approval "nope"/, "/api/approvals/nope"],
    ];
    for (const [text, headers, status, message, path] of cases) {
      const response = await answer(app, text, headers, path);
      match((await json<{ error: string }>(response, status)).error, message, `${status} ${path}`);
    }
    equal(sent.length, 0, "nothing reached the monitor");
    const sized = await app.request(`/api/approvals/${ID}`, {
      method: "POST",
      headers: { ...PAGE, "content-length": "5000" },
      body: "{}",
    });
    equal(sized.status, 413, "a declared length over the limit is refused unread");
    await sized.body?.cancel();
  });
});

Deno.test("ui app: every other write is 405, with Allow", async () => {
  await withApp(async (app) => {
    const cases: [string, string, string][] = [
      ["PUT", `/api/approvals/${ID}`, "POST"],
      ["DELETE", `/api/approvals/${ID}`, "POST"],
      ["POST", "/api/approvals", "GET, HEAD"],
      ["POST", `/api/approvals/${ID}/x`, "GET, HEAD"],
      ["POST", "/api/sessions", "GET, HEAD"],
      ["PATCH", "/", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await app.request(path, { method, headers: PAGE, body: "{}" });
      match((await json<{ error: string }>(response, 405)).error, /is not allowed/, path);
      equal(response.headers.get("allow"), allow, `${method} ${path}`);
    }
    match(
      (await json<{ error: string }>(await get(app, `/api/approvals/${ID}`), 404)).error,
      /no such API route/,
    );
    match(
      (await json<{ error: string }>(await get(app, "/api/approvals?x=1"), 400)).error,
      /unknown parameter "x"; this route takes none/,
    );
  });
});

Deno.test("ui app: the monitor link wants a Bearer token and no Origin; cookies and ?token= fail", async () => {
  await withApp(async (app, _dir, { upgrades }) => {
    const monitor = { ...AUTH, upgrade: "websocket", connection: "Upgrade" };
    const cases: [string, Record<string, string>, number, RegExp][] = [
      ["/api/monitor", { ...monitor, origin: ORIGIN }, 403, /Origin header/],
      ["/api/monitor", { ...monitor, origin: "http://evil.example" }, 403, /Origin header/],
      ["/api/monitor", { ...monitor, host: "evil.example:7411" }, 403, /Host must be/],
      ["/api/monitor", { ...monitor, authorization: "Bearer wrong" }, 401, /Bearer/],
      [
        "/api/monitor",
        { ...monitor, authorization: "", cookie: `km_token_${PORT}=${TOKEN}` },
        401,
        /cookie/,
      ],
      [`/api/monitor?token=${TOKEN}`, { ...monitor, authorization: "" }, 401, /\?token=/],
      ["/api/monitor", AUTH, 426, /Upgrade: websocket/],
    ];
    for (const [path, headers, status, message] of cases) {
      const response = await get(app, path, headers);
      match((await json<{ error: string }>(response, status)).error, message, path);
      match(response.headers.get("content-security-policy")!, /default-src 'none'/);
    }
    equal(upgrades.length, 0);
    const accepted = await get(app, "/api/monitor", monitor);
    equal(await accepted.text(), "upgraded");
    equal(upgrades.length, 1);
  });
});

Deno.test("ui app: held calls and approval records link to the approval's records", async () => {
  await withApp(async (app) => {
    const approval = async (seq: number) => {
      const detail = await json<RecordDetail>(await get(app, `/api/records/${SESSION_A}/${seq}`));
      equal(detail.summary.approvalId, `${SESSION_A}-a1`, `seq ${seq}`);
      const { requested, resolved } = detail.approval!;
      return [requested?.event, requested?.seq, resolved?.event, resolved?.outcome];
    };
    const both = ["approval_requested", 11, "approval_resolved", "approve_session"];
    for (const seq of [10, 11, 12, 14]) assertEquals(await approval(seq), both);
    const held = await json<RecordDetail>(await get(app, `/api/records/${SESSION_A}/10`));
    equal((held.response as { seq: number }).seq, 13);
    const plain = await json<RecordDetail>(await get(app, `/api/records/${SESSION_A}/4`));
    equal(plain.approval, undefined);
    const page = await json<RecordPage>(await get(app, "/api/records?q=approved+for+this"));
    assertEquals(page.records.map((r) => r.seq), [12]);
  }, approvalRecords(SESSION_A));
});
