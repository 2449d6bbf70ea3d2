/**
 * What km redacts by default: credential patterns, secret field names, and the trigger
 * fragments that let clean text skip the patterns. Data only; the Redactor applies it.
 */

/** A named pattern; every match is replaced by `[REDACTED:<name>]`, keeping group `keep`. */
export interface RedactionRule {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Built-in rules. Each pattern is global; a `keep` group (if any) is preserved before the secret. */
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
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: "bearer", pattern: /(?<keep>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi },
  { name: "url_password", pattern: /(?<keep>\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi },
  {
    name: "password_assignment",
    pattern:
      /(?<keep>\b(?:password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|token|access[_-]?token|auth[_-]?token)\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
  },
];

/** Field names whose value is replaced whole, whatever it looks like. */
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
  "token",
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "private_key",
  "secret_key",
  "aws_secret_access_key",
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
];
