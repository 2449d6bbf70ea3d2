/**
 * The dashboard's request checks, pure: a loopback Host (DNS-rebinding defence), a same-origin
 * Origin (CSRF defence), the access token, the stricter rules for answering an approval and for
 * the monitor link, and the Content-Security-Policy every response carries.
 *
 * app.ts takes Hono's middleware where they meet these rules (hono/secure-headers,
 * hono/bearer-auth, hono/body-limit, hono/etag); what stays here is what Hono has no middleware
 * for or whose Hono middleware is weaker than the rule (each says why).
 *
 * The token travels only as `Authorization: Bearer`. Never as a cookie: cookies are not isolated
 * by port, so a browser sends a cookie of 127.0.0.1 to every local web server. Never in the
 * address's query: addresses are kept in logs and histories.
 */

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/**
 * Whether a Host header names this dashboard on a loopback name (port included). Hono has no
 * middleware for the Host header (hono/ip-restriction looks at the peer's address, which a DNS
 * rebinding page shares: it is the browser on this machine).
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const lower = host.toLowerCase();
  return LOOPBACK_NAMES.some((name) => lower === `${name}:${port}`);
}

/** Whether an Origin header is this dashboard's own origin. */
export function isOwnOrigin(origin: string, port: number): boolean {
  const lower = origin.toLowerCase();
  return LOOPBACK_NAMES.some((name) => lower === `http://${name}:${port}`);
}

/**
 * Compares tokens in time independent of where they differ. For the monitor link
 * (`monitorRefusal`), whose checks are one synchronous function; the API's token is compared by
 * hono/bearer-auth (SHA-256 of both, then a constant-time compare), which is asynchronous.
 */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

/** A refused request: the status and the error to answer with. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 405 | 413 | 415 | 426;
  readonly error: string;
}

/** Request headers, as `Headers` or Hono's `c.req.header()`. */
export type HeaderLookup = (name: string) => string | undefined;

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.match(/^Bearer (.+)$/)?.[1];
}

/** How to get the token, for a person who has none. */
export const SIGN_IN_HINT = 'run `km ui --open`, or open the address in the "url" of km\'s ' +
  "ui.json: it carries the access token after #token=";

/** The error of an API call refused for its token (401). */
export const API_TOKEN_ERROR = "access token missing or wrong: every API call needs " +
  "Authorization: Bearer <token> (cookies and ?token= are not accepted); to sign in, " +
  SIGN_IN_HINT;

/**
 * Why an API call is refused for its token, or undefined when it carries the right one. The
 * token must come as `Authorization: Bearer`: a cookie or a `?token=` is not looked at.
 *
 * The rule as a pure function; app.ts enforces it with hono/bearer-auth, answering every failure
 * with this refusal (Hono's own answer to a malformed header would be a 400 with its own text).
 */
export function apiTokenRefusal(header: HeaderLookup, token: string): Refusal | undefined {
  if (tokenMatches(bearerToken(header("authorization")), token)) return undefined;
  return { status: 401, error: API_TOKEN_ERROR };
}

/**
 * Why a `km monitor` may not open its WebSocket (`GET /api/monitor`), or undefined when it may.
 *
 * Browsers put an Origin header on every WebSocket handshake, and a page cannot leave it out;
 * km monitor (Deno's WebSocket client) sends none. So any Origin, even our own, is refused: no
 * web page, not even the dashboard's, can pose as a monitor. The token must come as
 * `Authorization: Bearer`, which no browser WebSocket can send; the cookie and `?token=` are
 * not accepted.
 */
export function monitorRefusal(
  method: string,
  header: HeaderLookup,
  port: number,
  token: string,
): Refusal | undefined {
  if (!isLoopbackHost(header("host"), port)) {
    return { status: 403, error: `Host must be 127.0.0.1:${port} or localhost:${port}` };
  }
  if (header("origin") !== undefined) {
    return {
      status: 403,
      error: "the monitor link refuses requests with an Origin header: only km monitor may connect",
    };
  }
  if (!tokenMatches(bearerToken(header("authorization")), token)) {
    return {
      status: 401,
      error: "the monitor link needs Authorization: Bearer <token> with the token of ui.json " +
        "(the cookie and ?token= are not accepted here)",
    };
  }
  if (method !== "GET") {
    return { status: 405, error: `${method} is not allowed: the monitor link is a WebSocket` };
  }
  if (header("upgrade")?.toLowerCase() !== "websocket") {
    return { status: 426, error: "the monitor link is a WebSocket: send Upgrade: websocket" };
  }
  return undefined;
}

/**
 * Why a request that changes something (answering an approval) is refused before its token is
 * looked at, or undefined. Not hono/csrf: it lets through any request with an allowed
 * Sec-Fetch-Site *or* Origin, a missing Origin included, and it checks only form content types
 * (a JSON POST passes unchecked), answering a bare "Forbidden". On top of the checks every request passes (a foreign Origin and
 * `Sec-Fetch-Site: cross-site` are refused), it must say it comes from the dashboard's own page:
 * browsers send Origin on every POST, so a missing one means it was not sent by our page.
 */
export function writeRefusal(header: HeaderLookup, port: number): Refusal | undefined {
  const origin = header("origin");
  if (origin === undefined) {
    return {
      status: 403,
      error:
        `an Origin header is required: only the dashboard's own page (http://127.0.0.1:${port}) ` +
        "may answer",
    };
  }
  if (!isOwnOrigin(origin, port)) {
    return { status: 403, error: `requests from origin ${origin} are not allowed` };
  }
  const site = header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin") {
    return { status: 403, error: `Sec-Fetch-Site must be same-origin; got "${site}"` };
  }
  return undefined;
}

/**
 * Whether a Content-Type is JSON (`application/json`, any parameters). Else 415; Hono's JSON
 * validator would answer 400.
 */
export function isJsonContentType(value: string | undefined): boolean {
  return value?.split(";")[0].trim().toLowerCase() === "application/json";
}

/** A fresh random token: 32 bytes, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * The Content-Security-Policy of every response, as hono/secure-headers directives (app.ts):
 * `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; …`.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};
