import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { accessToken, signInFromAddress, tokenFromHash, type TokenStore } from "./token.ts";

class MapStore implements TokenStore {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

Deno.test("tokenFromHash reads #token= and the route after it", () => {
  assertEquals(tokenFromHash("#token=abc"), { token: "abc", hash: "#/" });
  assertEquals(tokenFromHash("#token=a%2Bb&/approvals"), { token: "a+b", hash: "#/approvals" });
  equal(tokenFromHash("#/approvals"), undefined);
  equal(tokenFromHash("#token="), undefined);
  equal(tokenFromHash(""), undefined);
});

Deno.test("signInFromAddress keeps the token and takes it out of the address", () => {
  const storage = new MapStore();
  const replaced: string[] = [];
  const loc = { hash: "#token=secret&/approvals", pathname: "/", search: "" };
  equal(signInFromAddress(loc, (url) => replaced.push(url), storage), true);
  assertEquals(replaced, ["/#/approvals"]);
  equal(accessToken(storage), "secret");
  equal(storage.map.get("km_token"), "secret");
  // An address without a token changes nothing.
  equal(signInFromAddress({ ...loc, hash: "#/" }, (url) => replaced.push(url), storage), false);
  equal(replaced.length, 1);
});
