import { equal } from "node:assert/strict";
import { redactFieldsInText } from "./fields_in_text.ts";
import { BUILTIN_FIELD_ENDINGS, BUILTIN_FIELDS, NOT_SECRET_FIELDS } from "./redaction_rules.ts";
import { SecretFields } from "./secret_fields.ts";

const fields = new SecretFields({
  exact: BUILTIN_FIELDS,
  endings: BUILTIN_FIELD_ENDINGS,
  exceptions: NOT_SECRET_FIELDS,
});
const redact = (text: string) => redactFieldsInText(text, (name) => fields.has(name));

Deno.test("redactFieldsInText replaces secret values in a JSON log line", () => {
  const { text, count } = redact(
    '{"level":"info","apiKey":"sk-abc","ms":12,"user":{"password": "hunter2"}}',
  );
  equal(
    text,
    '{"level":"info","apiKey":"[REDACTED:field]","ms":12,"user":{"password": "[REDACTED:field]"}}',
  );
  equal(count, 2);
});

Deno.test("redactFieldsInText replaces arrays, objects and numbers under a secret name whole", () => {
  equal(
    redact('{"tokens":1,"accessToken":["a","b]"],"x":1}').text,
    '{"tokens":1,"accessToken":"[REDACTED:field]","x":1}',
  );
  equal(
    redact('{"credentials":{"user":"u","inner":{"k":"}"}},"x":1}').text,
    '{"credentials":"[REDACTED:field]","x":1}',
  );
  equal(redact('{"pin_secret": 1234, "n": 1}').text, '{"pin_secret": "[REDACTED:field]", "n": 1}');
});

Deno.test("redactFieldsInText finds fields in free text, after stray quotes, and in cut text", () => {
  equal(
    redact('error: can\'t "connect" {"clientSecret":"abc"} retrying').text,
    'error: can\'t "connect" {"clientSecret":"[REDACTED:field]"} retrying',
  );
  equal(redact('say " then "token": "abc"').text, 'say " then "token": "[REDACTED:field]"');
  equal(redact('{"a":1,"apiKey":"abcdef').text, '{"a":1,"apiKey":"[REDACTED:field]"');
  equal(redact('{"apiKey":["abc", {"d').text, '{"apiKey":"[REDACTED:field]"');
});

Deno.test("redactFieldsInText reads escaped names and leaves null, values and names alone", () => {
  equal(redact('{"pass\\u0077ord":"x"}').text, '{"pass\\u0077ord":"[REDACTED:field]"}');
  const clean = '{"password":null,"note":"password","progressToken":"p1","keyword":"token"}';
  equal(redact(clean).text, clean);
  equal(redact(clean).count, 0);
});

Deno.test("redactFieldsInText takes linear time on crafted text", () => {
  const texts = ['"a"'.repeat(200_000), '"'.repeat(500_000), '"apiKey":['.repeat(100_000)];
  for (const text of texts) {
    const start = performance.now();
    redact(text);
    const ms = performance.now() - start;
    equal(ms < 1000, true, `${ms} ms on ${text.slice(0, 12)}…`);
  }
});
