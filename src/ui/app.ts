/**
 * The dashboard's HTTP app (Hono), as a function of its parts so tests call `app.request()`.
 * Every request passes the Host, Origin and token checks first; the API is read-only.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import type { Hello, RecordDetail } from "./api_types.ts";
import { FILTER_KEYS, parseFilter } from "./filter.ts";
import type { Hub } from "./hub.ts";
import type { Entry, LogIndex } from "./log_index.ts";
import {
  cookieName,
  isLoopbackHost,
  isOwnOrigin,
  SECURITY_HEADERS,
  tokenMatches,
} from "./security.ts";
import { computeStats, type StatsFilter } from "./stats.ts";

export interface Assets {
  readonly js: string;
  readonly css: string;
  /** Content hash, the assets' ETag. */
  readonly hash: string;
}

export interface AppDeps {
  readonly index: LogIndex;
  /** Reads a record's full line again. */
  readonly read: (entry: Entry) => Promise<Record<string, unknown>>;
  readonly hub: Hub;
  readonly token: string;
  /** The port the dashboard listens on (known once it is bound). */
  readonly port: () => number;
  readonly version: string;
  readonly logDir: string;
  readonly assets: Assets;
  /** Seconds between SSE keep-alive comments. */
  readonly keepAliveMs?: number;
}

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
const STDERR_WINDOW_MS = 2000;
const RECORD_KEYS = new Set([...FILTER_KEYS, "before", "limit"]);
const STATS_KEYS = new Set(["session", "server", "tool", "since"]);

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>km dashboard</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231f6feb'/%3E%3Ctext x='8' y='12' font-size='10' text-anchor='middle' fill='white' font-family='sans-serif'%3Ekm%3C/text%3E%3C/svg%3E">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

const UNAUTHORISED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>km dashboard: access token needed</title></head>
<body><h1>Access token needed</h1>
<p>Open the address that <code>km ui</code> printed on its standard error: it carries the
access token (<code>/?token=…</code>). The address is also in the <code>ui.json</code> file of
km's data directory.</p></body></html>
`;

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!c.res.headers.has(name)) c.header(name, value);
    }
  });

  // DNS rebinding and cross-site requests are refused before anything else.
  app.use(async (c, next) => {
    const port = deps.port();
    if (!isLoopbackHost(c.req.header("host"), port)) {
      return c.json({ error: `Host must be 127.0.0.1:${port} or localhost:${port}` }, 403);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !isOwnOrigin(origin, port)) {
      return c.json({ error: `requests from origin ${origin} are not allowed` }, 403);
    }
    if (c.req.header("sec-fetch-site") === "cross-site") {
      return c.json({ error: "cross-site requests are not allowed" }, 403);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.json({ error: `${c.req.method} is not allowed: the dashboard is read-only` }, 405);
    }
    return await next();
  });

  app.use(async (c, next) => {
    const port = deps.port();
    const fromQuery = c.req.query("token");
    const bearer = c.req.header("authorization")?.match(/^Bearer (.+)$/)?.[1];
    const given = bearer ?? getCookie(c, cookieName(port)) ?? fromQuery;
    if (!tokenMatches(given, deps.token) && !tokenMatches(fromQuery, deps.token)) {
      if (c.req.path.startsWith("/api/")) {
        return c.json(
          { error: "access token missing or wrong: open the address km ui printed" },
          401,
        );
      }
      return c.html(UNAUTHORISED_PAGE, 401);
    }
    if (fromQuery !== undefined && c.req.path === "/") {
      // Trade the token in the address for a cookie, and take it out of the address bar.
      setCookie(c, cookieName(port), deps.token, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
      });
      return c.redirect("/", 303);
    }
    return await next();
  });

  app.get("/", (c) => c.html(SHELL));
  app.get("/assets/app.js", (c) => asset(c, deps.assets, deps.assets.js, "text/javascript"));
  app.get("/assets/app.css", (c) => asset(c, deps.assets, deps.assets.css, "text/css"));

  app.get("/api/records", (c) => {
    const params = new URL(c.req.url).searchParams;
    const unknown = unknownKeys(params, RECORD_KEYS);
    if (unknown) return c.json({ error: unknown }, 400);
    const parsed = parseFilter(params);
    if ("error" in parsed) return c.json({ error: parsed.error }, 400);
    const limitText = params.get("limit");
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return c.json({ error: `"limit" must be a whole number from 1 to ${MAX_LIMIT}` }, 400);
    }
    const page = deps.index.page(parsed.filter, limit, params.get("before") ?? undefined);
    if ("error" in page) return c.json({ error: page.error }, 400);
    return c.json(page);
  });

  app.get("/api/records/:session/:seq", async (c) => {
    const session = c.req.param("session");
    const seqText = c.req.param("seq");
    const seq = Number(seqText);
    if (!/^\d+$/.test(seqText)) return c.json({ error: `seq must be a whole number` }, 400);
    const entry = deps.index.get(session, seq);
    if (!entry) return c.json({ error: `no record ${session}/${seqText}` }, 404);
    const s = entry.summary;
    const readSeq = async (n: number | undefined) => {
      const other = n === undefined ? undefined : deps.index.get(session, n);
      return other ? await deps.read(other) : undefined;
    };
    const record = await deps.read(entry);
    const isAnswer = s.requestSeq !== undefined;
    const detail: RecordDetail = {
      summary: s,
      record,
      ...(s.kind === "request" && { request: record, response: await readSeq(s.responseSeq) }),
      ...(isAnswer && { request: await readSeq(s.requestSeq), response: record }),
      stderr: deps.index.near(session, s.ts, STDERR_WINDOW_MS, "stderr"),
    };
    return c.json(detail);
  });

  app.get("/api/sessions", (c) => c.json({ sessions: deps.index.sessions() }));
  app.get("/api/policy", (c) => c.json(deps.index.policy()));

  app.get("/api/stats", (c) => {
    const params = new URL(c.req.url).searchParams;
    const unknown = unknownKeys(params, STATS_KEYS);
    if (unknown) return c.json({ error: unknown }, 400);
    const filter: { -readonly [K in keyof StatsFilter]: StatsFilter[K] } = {};
    for (const key of ["session", "server", "tool"] as const) {
      const value = params.get(key);
      if (value) filter[key] = value;
    }
    const since = params.get("since");
    if (since) {
      const ms = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
      if (Number.isNaN(ms)) {
        return c.json({
          error: `"since" must be epoch milliseconds or an RFC 3339 time; got "${since}"`,
        }, 400);
      }
      filter.since = ms;
    }
    return c.json(computeStats(deps.index.entries(), filter));
  });

  app.get("/api/events", (c) => {
    const subscriber = deps.hub.subscribe();
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => subscriber.close());
      const hello: Hello = {
        version: deps.version,
        logDir: deps.logDir,
        records: deps.index.size,
      };
      await stream.writeSSE({ event: "hello", data: JSON.stringify(hello) });
      const keepAlive = setInterval(
        () => subscriber.push({ event: "ping", data: "" }),
        deps
          .keepAliveMs ?? 15_000,
      );
      try {
        while (!subscriber.closed) {
          for (const event of await subscriber.take()) {
            if (stream.aborted) break;
            await stream.writeSSE(event);
          }
        }
      } finally {
        clearInterval(keepAlive);
        subscriber.close();
      }
    });
  });

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: `no such API route: ${c.req.path}` }, 404)
      : c.text("not found", 404)
  );
  return app;
}

function asset(c: Context, assets: Assets, body: string, type: string): Response {
  const etag = `"${assets.hash}"`;
  c.header("ETag", etag);
  c.header("Cache-Control", "no-cache");
  if (c.req.header("if-none-match") === etag) return c.body(null, 304);
  return c.body(body, 200, { "Content-Type": `${type}; charset=utf-8` });
}

/** An error naming parameters the route does not know, or undefined. */
function unknownKeys(params: URLSearchParams, known: ReadonlySet<string>): string | undefined {
  const unknown = [...new Set(params.keys())].filter((k) => !known.has(k) && k !== "token");
  if (unknown.length === 0) return undefined;
  return `unknown parameter${unknown.length > 1 ? "s" : ""} ${
    unknown.map((k) => `"${k}"`).join(", ")
  }; ` +
    `known: ${[...known].join(", ")}`;
}
