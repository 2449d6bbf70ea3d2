import { deepStrictEqual as assertEquals, equal, match, ok } from "node:assert/strict";
import type { RecordDetail, RecordPage, SessionList, StatsReport } from "./api_types.ts";
import { createApp } from "./app.ts";
import { Hub } from "./hub.ts";
import { LogIndex } from "./log_index.ts";
import { LogSource } from "./log_source.ts";
import { jsonl, rec, SESSION_A, SESSION_B, sessionRecords } from "./_testing.ts";

const PORT = 7411;
const TOKEN = "t".repeat(43);
const HOST = `127.0.0.1:${PORT}`;
const AUTH = { host: HOST, authorization: `Bearer ${TOKEN}` };

async function withApp(fn: (app: ReturnType<typeof createApp>, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "km-ui-test-" });
  await Deno.writeTextFile(`${dir}/a.jsonl`, jsonl(sessionRecords(SESSION_A, "alpha")));
  await Deno.writeTextFile(`${dir}/b.jsonl`, jsonl(sessionRecords(SESSION_B, "beta", 500)));
  await Deno.writeTextFile(`${dir}/notes.txt`, "not a log");
  const index = new LogIndex({ maxRecords: 1000, isAlive: () => false });
  const hub = new Hub();
  const source = new LogSource(dir, index, {
    onRecord: (s) => hub.publish("record", s),
    pollMs: 50,
  });
  await source.start();
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
  });
  try {
    await fn(app, dir);
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

Deno.test("ui app: the token is required for every page and API call", async () => {
  await withApp(async (app) => {
    for (const path of ["/", "/assets/app.js", "/api/records", "/api/sessions", "/api/events"]) {
      const response = await get(app, path, { host: HOST });
      equal(response.status, 401, path);
      await response.body?.cancel();
    }
    const api = await get(app, "/api/sessions", { host: HOST, authorization: "Bearer wrong" });
    match((await json<{ error: string }>(api, 401)).error, /access token/);
    const page = await get(app, "/", { host: HOST });
    match(await page.text(), /Open the address that <code>km ui<\/code> printed/);
  });
});

Deno.test("ui app: a token in the address becomes an HttpOnly cookie, then is dropped", async () => {
  await withApp(async (app) => {
    const response = await get(app, `/?token=${TOKEN}`, { host: HOST });
    equal(response.status, 303);
    equal(response.headers.get("location"), "/");
    const cookie = response.headers.get("set-cookie")!;
    match(cookie, new RegExp(`^km_token_${PORT}=${TOKEN};`));
    match(cookie, /HttpOnly/);
    match(cookie, /SameSite=Strict/);
    const page = await get(app, "/", { host: HOST, cookie: cookie.split(";")[0] });
    equal(page.status, 200);
    match(await page.text(), /<script type="module" src="\/assets\/app.js">/);
    const wrongPort = await get(app, "/api/sessions", {
      host: HOST,
      cookie: `km_token_1=${TOKEN}`,
    });
    equal(wrongPort.status, 401);
    await wrongPort.body?.cancel();
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
      ["/api/sessions", { method: "POST", headers: AUTH }, 405, /read-only/],
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
