import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { Re2 } from "../re2.ts";
import { Redactor, redactorFor } from "./redact.ts";
import {
  BUILTIN_FIELD_ENDINGS,
  BUILTIN_FIELDS,
  BUILTIN_RULES,
  BUILTIN_TRIGGERS,
  NOT_SECRET_FIELDS,
} from "./redaction_rules.ts";

const redactor = new Redactor({
  rules: BUILTIN_RULES,
  fields: BUILTIN_FIELDS,
  maxStringChars: 1000,
});

Deno.test("Redactor removes credentials of major providers from free text", () => {
  const secrets: [string, string][] = [
    ["key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123", "anthropic_key"],
    ["OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz", "openai_key"],
    ["id AKIAIOSFODNN7EXAMPLE here", "aws_access_key_id"],
    [
      'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
      "aws_secret_access_key",
    ],
    ["token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_token"],
    ["github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_token"],
    ["xoxb-123456789012-abcdefghijkl", "slack_token"],
    ["AIzaSyA-abcdefghijklmnopqrstuvwxyz0123456", "google_api_key"],
    ["sk_live_abcdefghijklmnop1234", "stripe_key"],
    ["glpat-abcdefghijklmnopqrst", "gitlab_token"],
    ["Authorization: Bearer abc.def-ghi_jkl", "bearer"],
    ["postgres://admin:hunter2@db:5432/app", "url_password"],
    ["login with password=hunter2 now", "password_assignment"],
    ["--api-key=abc123", "password_assignment"],
    ["SESSION_SECRET=change-me-in-production", "env_assignment"],
    ["export DB_PASSWORD='hunter 2'", "env_assignment"],
    ["stripe-api-key: abc123", "env_assignment"],
    ["MY_APP_ACCESS_KEY=AbC123", "env_assignment"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fwpM", "jwt"],
  ];
  for (const [input, rule] of secrets) {
    const { value, redactions } = redactor.text(input);
    ok(value.includes(`[REDACTED:${rule}]`), `${rule}: ${value}`);
    ok(redactions >= 1, input);
  }
});

Deno.test("Redactor keeps the name of an environment-style secret and leaves other assignments", () => {
  equal(
    redactor.text("PORT=3000\nSESSION_SECRET=change-me\nNODE_ENV=production").value,
    "PORT=3000\nSESSION_SECRET=[REDACTED:env_assignment]\nNODE_ENV=production",
  );
  equal(redactor.text("MAX_TOKENS=4096 page_size=10").redactions, 0);
});

Deno.test("Redactor keeps the label before a secret so the log stays readable", () => {
  equal(
    redactor.text("Authorization: Bearer abcdefghijk").value,
    "Authorization: Bearer [REDACTED:bearer]",
  );
  equal(
    redactor.text("postgres://admin:hunter2@db/app").value,
    "postgres://admin:[REDACTED:url_password]@db/app",
  );
});

Deno.test("Redactor removes a private key block whole", () => {
  const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----";
  equal(redactor.text(`key:\n${pem}\nend`).value, "key:\n[REDACTED:private_key]\nend");
});

Deno.test("Redactor replaces values of password-like fields at any depth", () => {
  const { value, redactions } = redactor.value({
    params: {
      arguments: { user: "ann", Password: "x", "X-Api-Key": 42, nested: [{ token: "t" }] },
    },
  });
  assertEquals(value, {
    params: {
      arguments: {
        user: "ann",
        Password: "[REDACTED:field]",
        "X-Api-Key": "[REDACTED:field]",
        nested: [{ token: "[REDACTED:field]" }],
      },
    },
  });
  equal(redactions, 3);
});

Deno.test("Redactor leaves ordinary text and MCP fields alone", () => {
  const message = {
    method: "tools/call",
    params: { name: "echo", arguments: { message: "hello world" }, _meta: { progressToken: 3 } },
  };
  const { value, redactions } = redactor.value(message);
  assertEquals(value, message);
  equal(redactions, 0);
});

Deno.test("Redactor truncates long strings and says how much it dropped", () => {
  const { value, truncated } = redactor.text("a".repeat(5000));
  equal(truncated, 1);
  ok(value.startsWith("a".repeat(1000)));
  ok(value.endsWith("…[truncated 4000 chars]"));
});

Deno.test("Redactor catches a secret straddling the truncation point", () => {
  const { value } = redactor.text(
    "a ".repeat(495) + "sk-ant-api03-abcdefghijklmnopqrstuvwxyz" + "b".repeat(2000),
  );
  ok(!value.includes("sk-ant-api03-abcd"), value.slice(980, 1040));
});

Deno.test("Redactor does not modify its input", () => {
  const input = { password: "p" };
  redactor.value(input);
  equal(input.password, "p");
});

Deno.test("redactorFor adds configured patterns and fields and disables built-ins by name", () => {
  const r = redactorFor(
    {
      enabled: true,
      disable: ["jwt"],
      fields: ["ssn"],
      patterns: [{ name: "ticket", regex: "TCK-\\d{8}" }],
    },
    100,
  );
  if (typeof r === "string") throw new Error(r);
  equal(r.text("see TCK-12345678").value, "see [REDACTED:ticket]");
  equal(r.text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fwpM").redactions, 0);
  assertEquals(r.value({ ssn: "123" }).value, { ssn: "[REDACTED:field]" });
});

Deno.test("redactorFor names a pattern that does not compile and an unknown rule", () => {
  const bad = redactorFor({
    enabled: true,
    disable: [],
    fields: [],
    patterns: [{ name: "x", regex: "(" }],
  }, 100);
  equal(bad, 'redaction.patterns[0] ("x"): "(" is not a valid RE2 pattern: missing closing ): `(`');
  const unknown = redactorFor({ enabled: true, disable: ["jtw"], fields: [], patterns: [] }, 100);
  ok(typeof unknown === "string" && unknown.startsWith('redaction.disable: unknown rule "jtw"'));
});

Deno.test("redactorFor with redaction disabled changes nothing but still truncates", () => {
  const r = redactorFor({ enabled: false, disable: [], fields: [], patterns: [] }, 10);
  if (typeof r === "string") throw new Error(r);
  equal(r.text("password=hunter2").value, "password=h…[truncated 6 chars]");
});

Deno.test("every built-in rule and field name contains a trigger fragment", () => {
  const trigger = new RegExp(BUILTIN_TRIGGERS.join("|"));
  const samples = [
    "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
    "sk-proj-abcdefghijklmnopqrstuvwxyz",
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAIOSFODNN7EXAMPLE",
    "secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "glpat-abcdefghijklmnopqrst",
    "xoxb-123456789012-abcdefghijkl",
    "AIzaSyA-abcdefghijklmnopqrstuvwxyz0123456",
    "rk_live_abcdefghijklmnop1234",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fwpM",
    "Token abcdefghijk",
    "Basic dXNlcjpwYXNz",
    "https://admin:hunter2@db",
    "PWD=hunter2",
  ];
  for (const sample of samples) {
    ok(
      BUILTIN_RULES.some((r) =>
        r.pattern instanceof Re2 ? r.pattern.test(sample) : new RegExp(r.pattern).test(sample)
      ),
      `a rule matches ${sample}`,
    );
    ok(trigger.test(sample.toLowerCase()), `a trigger matches ${sample}`);
  }
  for (const field of [...BUILTIN_FIELDS, ...BUILTIN_FIELD_ENDINGS]) {
    ok(trigger.test(field), `a trigger matches field ${field}`);
  }
});

Deno.test("Redactor.json returns the original text untouched when there is nothing to do", () => {
  const text =
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}';
  const result = redactor.json(text, JSON.parse(text));
  equal(result.value, text);
  equal(result.redactions, 0);
});

Deno.test("Redactor.json redacts secrets hidden behind JSON escapes", () => {
  // "sk-ant-..." with the dash escaped, and a password key spelled with an escape.
  const text = '{"a":"sk\\u002dant-api03-abcdefghijklmnopqrstuvwxyz","pass\\u0077ord":"x"}';
  const result = redactor.json(text, JSON.parse(text));
  assertEquals(JSON.parse(result.value), {
    a: "[REDACTED:anthropic_key]",
    password: "[REDACTED:field]",
  });
  equal(result.redactions, 2);
});

Deno.test("Redactor.json re-serialises text with a carriage return so records stay one line", () => {
  const text = '{"a":\r1}';
  equal(redactor.json(text, JSON.parse(text)).value, '{"a":1}');
});

Deno.test("Redactor.json truncates long strings", () => {
  const value = { s: "q".repeat(5000) };
  const result = redactor.json(JSON.stringify(value), value);
  equal(result.truncated, 1);
  ok(JSON.parse(result.value).s.endsWith("…[truncated 4000 chars]"));
});

Deno.test("redactorFor rejects what RE2 lacks in a configured pattern, and unknown flags", () => {
  const cases: [string, string | undefined, string][] = [
    ["(\\w)\\1", undefined, "backreferences are not supported"],
    ["secret(?=:)", undefined, "lookahead is not supported"],
    ["(?<=key=)\\w+", undefined, "lookbehind is not supported"],
    ["TCK-\\d{8}", "y", 'flag "y" is not supported (RE2 flags: i, m, s, U)'],
  ];
  for (const [regex, flags, expected] of cases) {
    const bad = redactorFor(
      { enabled: true, disable: [], fields: [], patterns: [{ name: "mine", regex, flags }] },
      100,
    );
    ok(typeof bad === "string" && bad.startsWith('redaction.patterns[0] ("mine"): '), String(bad));
    ok(bad.includes(JSON.stringify(regex)) && bad.includes(expected), bad);
  }
});

Deno.test("configured patterns are RE2: its syntax and flags, on the linear engine", () => {
  const r = redactorFor({
    enabled: true,
    disable: [],
    fields: [],
    patterns: [
      { name: "ticket", regex: "(?P<keep>ticket )\\pL{3}-\\d{4}\\z", flags: "i" },
      { name: "nested", regex: "(a+)+$" },
    ],
  }, 200_000);
  if (typeof r === "string") throw new Error(r);
  equal(r.text("TICKET ÉTÉ-1234").value, "TICKET [REDACTED:ticket]");
  equal(r.text("ticket ABC-1234\n").redactions, 0, "\\z is the very end");
  // A backtracking engine would not finish this; RE2 scans it once.
  const text = "a".repeat(100_000) + "b";
  equal(r.text(text).value, text);
});

Deno.test("built-in rules that would backtrack quadratically run on the RE2 engine", () => {
  const engines = Object.fromEntries(
    BUILTIN_RULES.map((r) => [r.name, r.pattern instanceof Re2 ? "re2" : "js"]),
  );
  equal(engines.jwt, "re2");
  equal(engines.url_password, "re2");
  equal(engines.env_assignment, "re2");
  // Inputs on which their JavaScript versions took seconds (every start scans the whole run).
  const wide = new Redactor({ rules: BUILTIN_RULES, fields: [], maxStringChars: 100_000 });
  equal(wide.text("eyJ-".repeat(16_000)).redactions, 0);
  equal(wide.text("pass " + "a.".repeat(32_000)).redactions, 0);
  equal(wide.text("secret " + "a-".repeat(32_000)).redactions, 0);
  // What the JavaScript lookahead kept after the password, RE2's `after` group puts back.
  equal(
    redactor.text("a://u:p@h b://v:q@i").value,
    "a://u:[REDACTED:url_password]@h b://v:[REDACTED:url_password]@i",
  );
});

Deno.test("redactorFor checks every string when a custom pattern has no trigger", () => {
  const r = redactorFor({
    enabled: true,
    disable: [],
    fields: [],
    patterns: [{ name: "ticket", regex: "TCK-\\d{8}" }],
  }, 100);
  if (typeof r === "string") throw new Error(r);
  const text = '{"note":"TCK-12345678"}';
  equal(r.json(text, JSON.parse(text)).value, '{"note":"[REDACTED:ticket]"}');
});

/** The redactor km builds from the default configuration. */
function defaultRedactor(maxStringChars = 1000, maxDepth?: number): Redactor {
  const r = redactorFor({ enabled: true, disable: [], fields: [], patterns: [] }, maxStringChars);
  if (typeof r === "string") throw new Error(r);
  if (maxDepth === undefined) return r;
  return new Redactor({
    rules: BUILTIN_RULES,
    fields: BUILTIN_FIELDS,
    fieldEndings: BUILTIN_FIELD_ENDINGS,
    notSecretFields: NOT_SECRET_FIELDS,
    maxStringChars,
    maxDepth,
  });
}

/** `[[[…1…]]]`, `depth` arrays deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

Deno.test("Redactor replaces camelCase and dashed secret fields, and names ending like one", () => {
  const text = JSON.stringify({
    accessToken: "a1",
    apiKey: "a2",
    clientSecret: "a3",
    refreshToken: "a4",
    privateKey: "a5",
    authToken: "a6",
    sessionToken: "a7",
    "x-api-key": "a8",
    githubToken: "a9",
    OPENAI_API_KEY: "a10",
    _meta: { progressToken: "p1" },
    name: "ok",
  });
  const result = defaultRedactor().json(text, JSON.parse(text));
  const value = JSON.parse(result.value);
  for (const [key, field] of Object.entries(value)) {
    if (key === "_meta" || key === "name") continue;
    equal(field, "[REDACTED:field]", key);
  }
  assertEquals(value._meta, { progressToken: "p1" });
  equal(value.name, "ok");
  equal(result.redactions, 10);
});

Deno.test("Redactor replaces arrays and objects under a secret field name whole", () => {
  const { value, redactions } = defaultRedactor().value({
    apiKey: ["k1", "k2"],
    credentials: { user: "u", password: "p", nested: [{ x: "y" }] },
    tokens: 3,
    password: null,
  });
  assertEquals(value, {
    apiKey: "[REDACTED:field]",
    credentials: "[REDACTED:field]",
    tokens: 3,
    password: null,
  });
  equal(redactions, 2);
});

Deno.test("Redactor redacts an object key that is itself a secret, keeping keys apart", () => {
  const ghp1 = "ghp_" + "a".repeat(36);
  const ghp2 = "ghp_" + "b".repeat(36);
  const text = JSON.stringify({ allowed: { [ghp1]: true, [ghp2]: false }, plain: 1 });
  const result = defaultRedactor().json(text, JSON.parse(text));
  ok(!result.value.includes("ghp_"), result.value);
  assertEquals(JSON.parse(result.value), {
    allowed: { "[REDACTED:github_token]": true, "[REDACTED:github_token]#2": false },
    plain: 1,
  });
  equal(result.redactions, 2);
});

Deno.test("Redactor redacts secret fields of JSON written inside a string", () => {
  const inner = JSON.stringify({ apiKey: "abc123", items: [1] });
  const text = JSON.stringify({ result: { content: [{ type: "text", text: inner }] } });
  const value = JSON.parse(defaultRedactor().json(text, JSON.parse(text)).value);
  equal(value.result.content[0].text, '{"apiKey":"[REDACTED:field]","items":[1]}');
});

Deno.test("Redactor keeps a __proto__ member as a member of the copy", () => {
  const text = '{"__proto__":{"password":"p","x":1}}';
  const result = defaultRedactor().json(text, JSON.parse(text));
  equal(result.value, '{"__proto__":{"password":"[REDACTED:field]","x":1}}');
});

Deno.test("Redactor walks a 1,000,000-deep array without recursion", () => {
  const deep = nestedArrays(1_000_000);
  const r = defaultRedactor(1000, 2_000_000);
  // Nothing to redact, and with a secret at the bottom: both walks reach it.
  const clean = r.value(deep);
  equal(clean.redactions, 0);
  const secret = r.value([deep, { password: "x", deep }]);
  equal(secret.redactions, 1);
});

Deno.test("Redactor.json records a too-deep value down to its limit, and says so", () => {
  const depth = 1_000_000;
  const text = "[".repeat(depth) + '"sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"' +
    "]".repeat(depth);
  const result = defaultRedactor().json(text, JSON.parse(text));
  equal(result.unrecorded, "nested deeper than 512 levels");
  ok(!result.value.includes("sk-ant"), "nothing below the limit is written");
  let value: unknown = JSON.parse(result.value);
  let levels = 0;
  while (Array.isArray(value)) [value, levels] = [value[0], levels + 1];
  equal(levels, 512);
  equal(value, "[UNRECORDED:nested deeper than 512 levels]");
});

Deno.test("Redactor.json cuts only the too-deep branch and redacts the rest as usual", () => {
  const text = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "x", arguments: { apiKey: "k", deep: nestedArrays(20) } },
  });
  const result = defaultRedactor(1000, 10).json(text, JSON.parse(text));
  const value = JSON.parse(result.value);
  equal(value.params.arguments.apiKey, "[REDACTED:field]");
  equal(result.redactions, 1);
  equal(result.unrecorded, "nested deeper than 10 levels");
  ok(result.value.includes('"[UNRECORDED:nested deeper than 10 levels]"'));
});

Deno.test("Redactor.json leaves a shallow message alone however long, and the fast path stays", () => {
  const text = JSON.stringify({ a: nestedArrays(500), s: "x".repeat(2000) });
  const result = defaultRedactor(100_000).json(text, JSON.parse(text));
  equal(result.value, text);
  equal(result.unrecorded, undefined);
});

Deno.test("Redactor.text redacts JSON-formatted secrets in a log line", () => {
  const { value, redactions } = defaultRedactor().text(
    'auth ok {"apiKey":"sk-abc","scopes":["a"],"refresh_token":{"v":"r"}}',
  );
  equal(
    value,
    'auth ok {"apiKey":"[REDACTED:field]","scopes":["a"],"refresh_token":"[REDACTED:field]"}',
  );
  equal(redactions, 2);
});

Deno.test("Redactor matches configured fields in any naming convention", () => {
  const r = redactorFor(
    { enabled: true, disable: [], fields: ["ssn_number"], patterns: [] },
    100,
  );
  if (typeof r === "string") throw new Error(r);
  const text = '{"ssnNumber":"123","SSN-NUMBER":"456"}';
  assertEquals(JSON.parse(r.json(text, JSON.parse(text)).value), {
    ssnNumber: "[REDACTED:field]",
    "SSN-NUMBER": "[REDACTED:field]",
  });
  equal(r.text('{"ssnNumber": "123"}').value, '{"ssnNumber": "[REDACTED:field]"}');
});
