import { equal, match, notEqual } from "node:assert/strict";
import { isLoopbackHost, isOwnOrigin, newToken, tokenMatches } from "./security.ts";

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
