/**
 * The dashboard's request checks, pure: a loopback Host (DNS-rebinding defence), a same-origin
 * Origin (CSRF defence), the access token, and the headers every response carries.
 */

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/** Whether a Host header names this dashboard on a loopback name (port included). */
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

/** Compares tokens in time independent of where they differ. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

/** A fresh random token: 32 bytes, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Cookies are shared by every port of a host, so the cookie's name carries the port. */
export function cookieName(port: number): string {
  return `km_token_${port}`;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every response. No CORS header is ever sent. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};
