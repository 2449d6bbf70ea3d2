/**
 * The arguments a person is asked to approve, as they are shown (in the dashboard and in the
 * client's elicitation). Pure.
 *
 * A person approves exactly what km will forward, so nothing may be hidden from them: not by the
 * audit log's redaction (whose private-key pattern runs to the end of a string, and whose field
 * rules replace whole values whatever they hold), not by truncation. The only exception is a
 * secret that is a whole, recognised token: a fixed prefix, then a bounded run of token
 * characters (letters, digits, `_` `-`), with no token character either side. Such a token has
 * no space, quote, `;`, `|`, `/` or newline, so masking it cannot hide a command or a path; and
 * every mask is listed (where, what kind, how long), so the view can say what it left out.
 */
import type { MaskedSecret } from "./types.ts";

export type { MaskedSecret };

export interface ShownArguments {
  /** The arguments, with each recognised token replaced by `[masked <kind>, <n> chars]`. */
  readonly value: unknown;
  /** Every token masked, in the order met. */
  readonly masked: readonly MaskedSecret[];
}

/** Token characters: a token is never cut out of a longer run of them. */
const T = "A-Za-z0-9_-";
const whole = (body: string) => new RegExp(`(?<![${T}])(?:${body})(?![${T}])`, "g");

/**
 * Whole tokens of well-known formats. Every pattern is bounded both in its characters (token
 * characters only, or `.` in a JWT) and in its length, and starts with a fixed prefix.
 */
export const TOKEN_RULES: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  {
    kind: "jwt",
    pattern: whole(`eyJ[${T}]{8,4096}\\.eyJ[${T}]{8,8192}\\.[${T}]{8,4096}`),
  },
  { kind: "aws_access_key_id", pattern: whole("(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}") },
  { kind: "github_token", pattern: whole("gh[pousr]_[A-Za-z0-9]{36,251}") },
  { kind: "github_token", pattern: whole("github_pat_[A-Za-z0-9_]{22,244}") },
  { kind: "gitlab_token", pattern: whole(`glpat-[${T}]{20,100}`) },
  { kind: "anthropic_key", pattern: whole(`sk-ant-[${T}]{20,300}`) },
  { kind: "openai_key", pattern: whole(`sk-(?:proj-|svcacct-|admin-)?[${T}]{20,300}`) },
  { kind: "slack_token", pattern: whole("xox[abposr]-[A-Za-z0-9-]{10,250}") },
  { kind: "google_api_key", pattern: whole(`AIza[${T}]{35}`) },
  { kind: "stripe_key", pattern: whole("(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,250}") },
];

/** The arguments as shown to the person asked: whole and exact, but for recognised tokens. */
export function shownArguments(value: unknown): ShownArguments {
  const masked: MaskedSecret[] = [];
  return { value: walk(value, "", masked), masked };
}

function walk(value: unknown, path: string, masked: MaskedSecret[]): unknown {
  if (typeof value === "string") return maskTokens(value, path || "(the value)", masked);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`, masked));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Keys are shown as they are: a key is a name, and a name is never masked.
    out[key] = walk(item, path === "" ? pathKey(key) : `${path}.${pathKey(key)}`, masked);
  }
  return out;
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
}

function maskTokens(text: string, path: string, masked: MaskedSecret[]): string {
  // Find every match first, then keep the earliest of overlapping ones (an `sk-ant-` key is
  // also an `sk-` key), so the result does not depend on the rules' order.
  const found: { start: number; end: number; kind: string }[] = [];
  for (const { kind, pattern } of TOKEN_RULES) {
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      found.push({ start: m.index, end: m.index + m[0].length, kind });
    }
  }
  if (found.length === 0) return text;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  for (const f of found) {
    if (f.start < at) continue;
    const chars = f.end - f.start;
    out += `${text.slice(at, f.start)}[masked ${f.kind}, ${chars} chars]`;
    masked.push({ path, kind: f.kind, chars });
    at = f.end;
  }
  return out + text.slice(at);
}

/** One line saying what was masked, for a person; undefined when nothing was. */
export function maskedNote(masked: readonly MaskedSecret[]): string | undefined {
  if (masked.length === 0) return undefined;
  const where = masked.map((m) => `${m.kind} in ${m.path}`).join(", ");
  return `${masked.length} secret token${masked.length === 1 ? "" : "s"} masked (${where}); ` +
    "everything else is shown exactly as it will be sent";
}
