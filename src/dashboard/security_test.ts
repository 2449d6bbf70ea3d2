import { equal, match, notEqual } from "node:assert/strict";
import {
  apiTokenRefusal,
  bearerToken,
  isJsonContentType,
  isLoopbackHost,
  isOwnOrigin,
  monitorRefusal,
  newToken,
  tokenMatches,
  writeRefusal,
} from "./security.ts";

Deno.test("security: only loopback names on our port are accepted as Host", () => {
  for (const host of ["127.0.0.1:7411", "localhost:7411", "LOCALHOST:7411", "[::1]:7411"]) {
    equal(isLoopbackHost(host, 7411), true, host);
  }
  for (const host of [undefined, "", "evil.com", "evil.com:7411", "127.0.0.1:80", "127.0.0.1"]) {
    equal(isLoopbackHost(host, 7411), false, String(host));
  }
});

Deno.test("security: only our own origin is accepted", () => {
  equal(isOwnOrigin("http://127.0.0.1:7411", 7411), true);
  equal(isOwnOrigin("http://localhost:7411", 7411), true);
  for (
    const origin of ["null", "http://evil.com", "https://127.0.0.1:7411", "http://127.0.0.1:1"]
  ) {
    equal(isOwnOrigin(origin, 7411), false, origin);
  }
});

Deno.test("security: tokens", () => {
  const token = newToken();
  match(token, /^[A-Za-z0-9_-]{43}$/);
  notEqual(newToken(), token);
  equal(tokenMatches(token, token), true);
  equal(tokenMatches(undefined, token), false);
  equal(tokenMatches(token.slice(1), token), false);
  equal(tokenMatches(`${token.slice(0, -1)}!`, token), false);
});

const lookup = (headers: Record<string, string>) => (name: string) => headers[name];

Deno.test("security: the monitor link takes a Bearer token, a loopback Host and no Origin", () => {
  const token = "t".repeat(43);
  const ok = {
    host: "127.0.0.1:7411",
    authorization: `Bearer ${token}`,
    upgrade: "websocket",
  };
  equal(monitorRefusal("GET", lookup(ok), 7411, token), undefined);
  equal(monitorRefusal("GET", lookup({ ...ok, upgrade: "WebSocket" }), 7411, token), undefined);
  const cases: [string, Record<string, string>, number, RegExp][] = [
    ["GET", { ...ok, host: "evil.example:7411" }, 403, /Host must be/],
    ["GET", { ...ok, origin: "http://127.0.0.1:7411" }, 403, /Origin header/],
    ["GET", { ...ok, origin: "http://evil.example" }, 403, /Origin header/],
    ["GET", { ...ok, authorization: "" }, 401, /Authorization: Bearer/],
    ["GET", { ...ok, authorization: "Bearer wrong" }, 401, /Authorization: Bearer/],
    ["GET", { ...ok, authorization: token, cookie: `km_token_7411=${token}` }, 401, /cookie/],
    ["POST", ok, 405, /POST is not allowed/],
    ["GET", { ...ok, upgrade: "" }, 426, /Upgrade: websocket/],
  ];
  for (const [method, headers, status, message] of cases) {
    const refusal = monitorRefusal(method, lookup(headers), 7411, token);
    equal(refusal?.status, status, JSON.stringify(headers));
    match(refusal.error, message);
  }
});

Deno.test("security: a write needs our own Origin and a same-origin Sec-Fetch-Site", () => {
  const own = { origin: "http://127.0.0.1:7411" };
  equal(writeRefusal(lookup(own), 7411), undefined);
  equal(writeRefusal(lookup({ ...own, "sec-fetch-site": "same-origin" }), 7411), undefined);
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /an Origin header is required/],
    [{ origin: "null" }, /origin null are not allowed/],
    [{ origin: "http://127.0.0.1:1" }, /not allowed/],
    [
      { ...own, "sec-fetch-site": "same-site" },
      /Sec-Fetch-Site must be same-origin; got "same-site"/,
    ],
    [{ ...own, "sec-fetch-site": "none" }, /Sec-Fetch-Site/],
  ];
  for (const [headers, message] of cases) {
    const refusal = writeRefusal(lookup(headers), 7411);
    equal(refusal?.status, 403, JSON.stringify(headers));
    match(refusal.error, message);
  }
});

Deno.test("security: JSON content types and Bearer tokens", () => {
  for (const type of ["application/json", "Application/JSON; charset=utf-8"]) {
    equal(isJsonContentType(type), true, type);
  }
  for (const type of [undefined, "", "text/plain", "application/x-www-form-urlencoded"]) {
    equal(isJsonContentType(type), false, String(type));
  }
  equal(bearerToken("Bearer abc"), "abc");
  equal(bearerToken("Basic abc"), undefined);
  equal(bearerToken(undefined), undefined);
});

Deno.test("security: an API call's token comes only as Authorization: Bearer", () => {
  const token = "t".repeat(43);
  const lookup = (headers: Record<string, string>) => (name: string) => headers[name];
  equal(apiTokenRefusal(lookup({ authorization: `Bearer ${token}` }), token), undefined);
  const cases: Record<string, string>[] = [
    {},
    { authorization: "Bearer wrong" },
    { authorization: token },
    { cookie: `km_token_7411=${token}` },
    { cookie: `km_token=${token}` },
  ];
  for (const headers of cases) {
    const refusal = apiTokenRefusal(lookup(headers), token);
    equal(refusal?.status, 401, JSON.stringify(headers));
    match(refusal!.error, /cookies and \?token= are not accepted/);
  }
});
