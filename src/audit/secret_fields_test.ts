import { equal } from "node:assert/strict";
import { BUILTIN_FIELD_ENDINGS, BUILTIN_FIELDS, NOT_SECRET_FIELDS } from "./redaction_rules.ts";
import { SecretFields } from "./secret_fields.ts";

const fields = new SecretFields({
  exact: BUILTIN_FIELDS,
  endings: BUILTIN_FIELD_ENDINGS,
  exceptions: NOT_SECRET_FIELDS,
});

Deno.test("SecretFields knows a secret name in any naming convention", () => {
  for (
    const name of [
      "accessToken",
      "apiKey",
      "clientSecret",
      "refreshToken",
      "privateKey",
      "authToken",
      "sessionToken",
      "x-api-key",
      "X-API-KEY",
      "ACCESS_TOKEN",
      "Proxy-Authorization",
      "set-cookie",
      "pwd",
    ]
  ) equal(fields.has(name), true, name);
});

Deno.test("SecretFields knows names that end like a secret", () => {
  for (
    const name of [
      "githubToken",
      "OPENAI_API_KEY",
      "dbPassword",
      "webhookSecret",
      "stripeSecretKey",
      "awsSecretAccessKey",
      "gpgPassphrase",
      "serviceAccountCredentials",
    ]
  ) equal(fields.has(name), true, name);
});

Deno.test("SecretFields leaves MCP's progressToken, paging tokens and ordinary names alone", () => {
  for (
    const name of [
      "progressToken",
      "nextPageToken",
      "NextToken",
      "maxTokens",
      "tokenCount",
      "name",
      "keyword",
      "passwordHint",
    ]
  ) equal(fields.has(name), false, name);
});

Deno.test("SecretFields remembers each name's verdict, and gives the same one again", () => {
  equal(fields.has("apiKey"), true);
  equal(fields.has("apiKey"), true);
  equal(fields.has("cursor"), false);
  equal(fields.has("cursor"), false);
});
