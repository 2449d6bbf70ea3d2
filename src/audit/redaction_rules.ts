/**
 * What km redacts by default: credential patterns, secret field names, and the trigger
 * fragments that let clean text skip the patterns. Data only; the Redactor applies it.
 */
import { Re2 } from "../re2.ts";

/**
 * A named pattern; every match is replaced by `[REDACTED:<name>]`, keeping the text of group
 * `keep` (if any) before it and of group `after` (if any) after it.
 */
export interface RedactionRule {
  readonly name: string;
  /** A global JavaScript RegExp (km's own, checked to be linear) or an RE2 pattern. */
  readonly pattern: RegExp | Re2;
}

/**
 * Built-in rules. The text they run over is chosen by others (tool arguments, server output),
 * so none may take more than linear time. Most stay on JavaScript's RegExp, which is faster on
 * this hot path, because their shape makes backtracking linear:
 * - a match starts only at a literal prefix (`sk-ant-`, `AKIA`, `Bearer`, `-----BEGIN `...);
 *   where a prefix can recur inside the run that follows another (`-sk-a-sk-a...`), the pattern
 *   ends in an open-ended run, so the first start matches and its match swallows the others;
 * - after the prefix, each quantified run has a fixed length, or ends the pattern, or is only
 *   backtracked over its own extent (`\s*` before `[:=]`, `[A-Z0-9 ]*` before `PRIVATE KEY`),
 *   and the runs of different starts do not overlap;
 * - `private_key`'s lazy `[\s\S]*?` always succeeds (at the END line, or at `$`, the end of
 *   the text), so it scans the rest of the text at most once and consumes it.
 * `jwt` and `url_password` do not have that shape: a match can start at any word boundary
 * inside a run of their own class (`eyJ-eyJ-...`, `a.a.a...`), and each start scans to the end
 * of the run, which took 2.6 s and 1.9 s on 64 KB with JavaScript's engine. They run on the
 * RE2 engine, which tries every start in one pass.
 */
/** The words that end a secret's name in an environment-style assignment (`env_assignment`). */
const ENV_SECRET_WORDS =
  "password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|secret[_-]?key|access[_-]?key|credentials?";

export const BUILTIN_RULES: readonly RedactionRule[] = [
  {
    name: "private_key",
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  },
  { name: "anthropic_key", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: "openai_key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: "aws_access_key_id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  {
    name: "aws_secret_access_key",
    pattern:
      /(?<keep>(?:aws_secret_access_key|secretAccessKey)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
  },
  {
    name: "github_token",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
  },
  { name: "gitlab_token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { name: "slack_token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { name: "stripe_key", pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  {
    name: "jwt",
    pattern: new Re2(String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`),
  },
  { name: "bearer", pattern: /(?<keep>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi },
  {
    // RE2 has no lookahead: the `@` after the password is matched and put back (`after`).
    name: "url_password",
    pattern: new Re2(
      String.raw`(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(?P<after>@)`,
      "i",
    ),
  },
  {
    // `SESSION_SECRET=…`, `DB_PASSWORD: …`, `stripe-api-key=…`: a name ending in a secret word
    // after `_` or `-`, which `password_assignment`'s word boundary does not see (`_` is a word
    // character). RE2: in a run like `a-a-a-…` every `a` is a start, each scanning the run.
    name: "env_assignment",
    pattern: new Re2(
      String
        .raw`(?P<keep>\b[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*[_-](?:${ENV_SECRET_WORDS})\s*[:=]\s*)` +
        String.raw`(?:"[^"]*"|'[^']*'|[^\s,;&"']+)`,
      "i",
    ),
  },
  {
    name: "password_assignment",
    pattern:
      /(?<keep>\b(?:password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|token|(?:access|auth|refresh|session|id)[_-]?token|private[_-]?key|secret[_-]?key)\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
  },
];

/**
 * Field names whose value is replaced whole, whatever it looks like (a string, a number, an
 * array, an object). Names are compared with letter case, `-` and `_` ignored, so
 * `access_token`, `accessToken` and `Access-Token` are one name.
 */
export const BUILTIN_FIELDS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "client_secret",
  "api_key",
  "apikey",
  "api-key",
  "x-api-key",
  "access_token",
  "refresh_token",
  "id_token",
  "auth_token",
  "session_token",
  "token",
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "private_key",
  "secret_key",
  "access_key",
  "aws_secret_access_key",
  "credentials",
];

/**
 * Endings that make a field name secret too (compared like BUILTIN_FIELDS): `githubToken`,
 * `OPENAI_API_KEY`, `dbPassword`, `webhookSecret`. Services name their credentials freely;
 * an ending catches the names no list foresees.
 */
export const BUILTIN_FIELD_ENDINGS: readonly string[] = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "privatekey",
  "secretkey",
  "accesskey",
  "credential",
  "credentials",
  "authorization",
  "cookie",
];

/**
 * Names with a secret ending that are not secrets: MCP's own `progressToken`, and the opaque
 * paging tokens of APIs servers wrap, which a reader of the log needs to follow a listing.
 */
export const NOT_SECRET_FIELDS: readonly string[] = [
  "progress_token",
  "page_token",
  "next_page_token",
  "next_token",
  "continuation_token",
];

/**
 * Fragments (in lower case) of which every built-in rule and field name needs at least one.
 * Text without any of them cannot hold a secret, so the rules need not run: one regex over a
 * lower-cased copy instead of fourteen. Kept honest by a test over every rule and field.
 */
export const BUILTIN_TRIGGERS = [
  "-----begin",
  "sk-",
  "akia",
  "asia",
  "abia",
  "acca",
  "gh[pousr]_",
  "github_pat_",
  "glpat-",
  "xox",
  "aiza",
  "_live_",
  "_test_",
  "eyj",
  "bearer",
  "basic",
  "token",
  ":\\/\\/",
  "pass",
  "pwd",
  "secret",
  "api",
  "cookie",
  "authoriz",
  "private",
  "access[_-]?key",
  "credential",
];
