/**
 * The `requestState` of km's approval question in an MCP 2026-07-28 session. km answers a
 * held request with an `input_required` result; the client retries the request with the
 * person's answer and this state echoed. The state names the approval, the session, the exact
 * request (a hash of its method and params text) and an expiry, and carries an HMAC-SHA256 under
 * a key that exists only in this km process: neither the client nor the server can forge one,
 * or reuse it for another request, session or time. Pure (the key and clock are passed in).
 */
import { sha256, sha256Hex } from "../sha256.ts";

const PREFIX = "km1.";
const BLOCK = 64;
const encoder = new TextEncoder();

/** What a state vouches for. */
export interface StateClaims {
  /** The approval it belongs to. */
  readonly approval: string;
  readonly session: string;
  /** `requestHash` of the request km answered. */
  readonly request: string;
  /** Epoch milliseconds after which it is refused. */
  readonly expiresAt: number;
}

/** Whether a `requestState` is km's at all (others are the server's, and pass through). */
export function isKmState(state: unknown): state is string {
  return typeof state === "string" && state.startsWith(PREFIX);
}

/** The hash a state binds: the method and the params exactly as written (km's members out). */
export function requestHash(method: string, paramsText: string): string {
  return sha256Hex(encoder.encode(`${method}\n${paramsText}`));
}

export function signState(claims: StateClaims, key: Uint8Array): string {
  const body = base64url(encoder.encode(JSON.stringify({
    a: claims.approval,
    s: claims.session,
    h: claims.request,
    e: claims.expiresAt,
  })));
  return `${PREFIX}${body}.${base64url(hmac(key, encoder.encode(PREFIX + body)))}`;
}

/** The claims of a state km signed with `key`, or why it is refused. */
export function verifyState(
  state: string,
  key: Uint8Array,
  nowEpochMs: number,
): StateClaims | { readonly error: string } {
  const parts = state.slice(PREFIX.length).split(".");
  if (!isKmState(state) || parts.length !== 2) {
    return { error: "the requestState is not one km issued (malformed)" };
  }
  const [body, mac] = parts;
  const expected = base64url(hmac(key, encoder.encode(PREFIX + body)));
  if (!sameText(mac, expected)) {
    return { error: "the requestState was not issued by this km session (signature mismatch)" };
  }
  const c = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
  if (c.e < nowEpochMs) return { error: "the requestState has expired" };
  return { approval: c.a, session: c.s, request: c.h, expiresAt: c.e };
}

/** HMAC-SHA256 (RFC 2104) over km's synchronous SHA-256. */
export function hmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = new Uint8Array(BLOCK);
  k.set(key.length > BLOCK ? sha256(key) : key);
  const inner = new Uint8Array(BLOCK + message.length);
  const outer = new Uint8Array(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i] ^ 0x36;
    outer[i] = k[i] ^ 0x5c;
  }
  inner.set(message, BLOCK);
  outer.set(sha256(inner), BLOCK);
  return sha256(outer);
}

/** Compares without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
