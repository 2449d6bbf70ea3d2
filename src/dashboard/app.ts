/**
 * The dashboard's HTTP app (Hono), as a function of its parts so tests call `app.request()`.
 * Every request passes the Host and Origin checks first, and every API call the token check:
 * `Authorization: Bearer <token>` and nothing else. No cookie: browsers send a cookie for
 * 127.0.0.1 to every port of it, so any other local web server would receive it. No `?token=`:
 * an address ends up in logs. The page and its scripts hold no data and need no token; the page
 * takes the token from the address's fragment (`#token=…`, never sent to a server) and sends it
 * as the header. The API is read-only but for answering approvals (`POST /api/approvals/<id>`)
 * and accepting pins (`POST /api/pins/<id>/accept`), same-origin only; `km monitor` connects on its own route with its own checks
 * (`GET /api/monitor`, a WebSocket).
 *
 * Hono's middleware set the security headers (hono/secure-headers), check the API's token
 * (hono/bearer-auth), bound an answer's body (hono/body-limit) and answer 304 for the assets
 * (hono/etag). km's own checks (security.ts) are those Hono has none for or whose Hono
 * middleware is weaker: the Host, the Origin and Sec-Fetch-Site, the answer's rules and the
 * monitor link's; each says why where it is used.
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { etag } from "hono/etag";
import { secureHeaders } from "hono/secure-headers";
import { streamSSE } from "hono/streaming";
import { MONITOR_PATH } from "../approval/wire.ts";
import type {
  AnswerAccepted,
  ApprovalList,
  Hello,
  PinServerList,
  RecordDetail,
} from "./api_types.ts";
import { answeredBy, type ApprovalRegistry, parseAnswerBody } from "./approvals.ts";
import { FILTER_KEYS, parseFilter } from "./filter.ts";
import type { Hub } from "./hub.ts";
import type { Entry, LogIndex } from "./log_index.ts";
import { acceptPins, listPins, parseAcceptBody, pinDetail } from "./pins.ts";
import {
  API_TOKEN_ERROR,
  CONTENT_SECURITY_POLICY,
  isJsonContentType,
  isLoopbackHost,
  isOwnOrigin,
  monitorRefusal,
  writeRefusal,
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
  readonly approvals: ApprovalRegistry;
  /**
   * Completes a monitor's WebSocket upgrade once its checks passed (server.ts:
   * `Deno.upgradeWebSocket`, wired to `approvals`). Absent: the route answers 501.
   */
  readonly acceptMonitor?: (request: Request) => Response;
  /** The pin folder (`<dataDir>/pins`) of the tool catalogue; absent: no server has pins. */
  readonly pinsDir?: string;
  /** The time now (for an accept's pins); default Date.now. */
  readonly now?: () => number;
}

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
const STDERR_WINDOW_MS = 2000;
const RECORD_KEYS = new Set([...FILTER_KEYS, "before", "limit"]);
const STATS_KEYS = new Set(["session", "server", "tool", "since"]);
/** The routes that take a POST: answering an approval, accepting pins. */
const ANSWER_PATH = /^\/api\/approvals\/[^/]+$/;
const ACCEPT_PATH = /^\/api\/pins\/[^/]+\/accept$/;
export const MAX_ANSWER_BYTES = 4096;

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

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  // The CSP and the other security headers, on every response (refusals included). Hono's
  // middleware sets them on the response in place, so a WebSocket upgrade's response still
  // reaches Deno as it was made. On top of what km asks for, its defaults add
  // Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
  // X-Permitted-Cross-Domain-Policies and X-XSS-Protection: 0; HSTS is left out, the dashboard
  // being plain HTTP on loopback. No CORS header is ever sent.
  app.use(secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    strictTransportSecurity: false,
  }));
  // Hand-written: hono/secure-headers has no Cache-Control. Nothing is cached unless a route
  // says otherwise (the assets: no-cache, with an ETag). In place on the response, as above.
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });

  // km monitor's link has its own checks (security.ts), so it answers before the page's rules.
  // Nothing before this route may touch c.res, or an upgrade's response would be copied.
  app.all(MONITOR_PATH, (c) => {
    const refusal = monitorRefusal(c.req.method, (n) => c.req.header(n), deps.port(), deps.token);
    if (refusal) return c.json({ error: refusal.error }, refusal.status);
    if (!deps.acceptMonitor) return c.json({ error: "this dashboard takes no monitor link" }, 501);
    return deps.acceptMonitor(c.req.raw);
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
    const answerPath = ANSWER_PATH.test(c.req.path) || ACCEPT_PATH.test(c.req.path);
    if (c.req.method === "POST" && answerPath) {
      const refusal = writeRefusal((n) => c.req.header(n), port);
      if (refusal) return c.json({ error: refusal.error }, refusal.status);
    } else if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      c.header("Allow", answerPath ? "POST" : "GET, HEAD");
      return c.json({
        error: `${c.req.method} is not allowed: the dashboard is read-only ` +
          "but for answering approvals (POST /api/approvals/<id>) and accepting pins " +
          "(POST /api/pins/<id>/accept)",
      }, 405);
    }
    return await next();
  });

  // The page and its assets are the same for everyone and hold no data: they are served without
  // the token, which the page sends on every API call. Everything under /api/ needs it, as
  // `Authorization: Bearer` (security.ts, apiTokenRefusal), compared in constant time. Hono would
  // answer a header that is not `Bearer <token>` with 400 and its texts: km answers every failure
  // with 401 and how to sign in (and Hono's WWW-Authenticate).
  const tokenRefused = (c: Context) => c.json({ error: API_TOKEN_ERROR }, 401);
  app.use(
    "/api/*",
    bearerAuth({
      token: deps.token,
      noAuthenticationHeader: { message: tokenRefused },
      invalidAuthenticationHeader: { message: tokenRefused },
      invalidToken: { message: tokenRefused },
    }),
  );

  // The assets carry their content hash as ETag; hono/etag answers a matching If-None-Match
  // with 304.
  app.use("/assets/*", etag());
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
    const approval = s.approvalId === undefined
      ? undefined
      : deps.index.approval(session, s.approvalId);
    const readEntry = async (e: Entry | undefined) =>
      e === undefined ? undefined : e === entry ? record : await deps.read(e);
    const detail: RecordDetail = {
      summary: s,
      record,
      ...(s.kind === "request" && { request: record, response: await readSeq(s.responseSeq) }),
      ...(isAnswer && { request: await readSeq(s.requestSeq), response: record }),
      stderr: deps.index.near(session, s.ts, STDERR_WINDOW_MS, "stderr"),
      ...(s.approvalId !== undefined && {
        approval: {
          requested: await readEntry(approval?.requested),
          resolved: await readEntry(approval?.resolved),
        },
      }),
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

  app.get("/api/approvals", (c) => {
    const unknown = unknownKeys(new URL(c.req.url).searchParams, new Set());
    if (unknown) return c.json({ error: unknown }, 400);
    const list: ApprovalList = { approvals: deps.approvals.list() };
    return c.json(list);
  });

  app.post("/api/approvals/:id", jsonOnly, answerLimit, async (c) => {
    const body = parseAnswerBody(await c.req.text());
    if ("error" in body) return c.json({ error: body.error }, 400);
    const id = c.req.param("id");
    const by = answeredBy(deps.port(), c.req.header("user-agent"));
    if (!deps.approvals.answer(id, body.answer, by)) {
      return c.json({ error: `no pending approval "${id}": unknown, answered or ended` }, 404);
    }
    const accepted: AnswerAccepted = { id, answer: body.answer };
    return c.json(accepted, 202);
  });

  // The tool catalogue: the pin files of the data folder (pins.ts).
  app.get("/api/pins", async (c) => {
    if (deps.pinsDir === undefined) {
      const none: PinServerList = { servers: [], skipped: [] };
      return c.json(none);
    }
    const { status, body } = await listPins(deps.pinsDir);
    return c.json(body, status);
  });

  app.get("/api/pins/:id", async (c) => {
    if (deps.pinsDir === undefined) return c.json({ error: "this dashboard reads no pins" }, 404);
    const { status, body } = await pinDetail(deps.pinsDir, c.req.param("id"));
    return c.json(body, status);
  });

  app.post("/api/pins/:id/accept", jsonOnly, answerLimit, async (c) => {
    if (deps.pinsDir === undefined) return c.json({ error: "this dashboard reads no pins" }, 404);
    const body = parseAcceptBody(await c.req.text());
    if ("error" in body) return c.json({ error: body.error }, 400);
    const now = new Date((deps.now ?? Date.now)()).toISOString();
    const { status, body: answer } = await acceptPins(deps.pinsDir, c.req.param("id"), body, now);
    return c.json(answer, status);
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

/** An asset, with its hash as ETag (hono/etag answers 304 when the browser has it). */
function asset(c: Context, assets: Assets, body: string, type: string): Response {
  c.header("ETag", `"${assets.hash}"`);
  c.header("Cache-Control", "no-cache");
  return c.body(body, 200, { "Content-Type": `${type}; charset=utf-8` });
}

/**
 * An answer's body must be JSON, else 415. Hand-written: Hono has no middleware that answers
 * 415 (its JSON validator answers 400).
 */
const jsonOnly: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type");
  if (!isJsonContentType(type)) {
    return c.json({
      error: `Content-Type must be application/json; got ${type ? `"${type}"` : "none"}`,
    }, 415);
  }
  return await next();
};

/**
 * An answer's body is at most MAX_ANSWER_BYTES, else 413: a declared Content-Length over it is
 * refused unread, a body without one is read only up to the limit. (Deno's server does not
 * let a body run past its declared Content-Length, which hono/body-limit trusts.)
 */
const answerLimit = bodyLimit({
  maxSize: MAX_ANSWER_BYTES,
  onError: (c) => c.json({ error: `the body must be at most ${MAX_ANSWER_BYTES} bytes` }, 413),
});

/** An error naming parameters the route does not know, or undefined. */
function unknownKeys(params: URLSearchParams, known: ReadonlySet<string>): string | undefined {
  const unknown = [...new Set(params.keys())].filter((k) => !known.has(k));
  if (unknown.length === 0) return undefined;
  return `unknown parameter${unknown.length > 1 ? "s" : ""} ${
    unknown.map((k) => `"${k}"`).join(", ")
  }; ` +
    (known.size > 0 ? `known: ${[...known].join(", ")}` : "this route takes none");
}
