import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { hmac, isKmState, requestHash, signState, verifyState } from "./request_state.ts";

const key = new Uint8Array(32).fill(7);
const claims = {
  approval: "s1-a1",
  session: "s1",
  request: requestHash("tools/call", '{"name":"shell"}'),
  expiresAt: 10_000,
};

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("hmac: RFC 4231 test cases 1 and 6 (a key longer than a block)", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  assertEquals(
    hex(hmac(new Uint8Array(20).fill(0x0b), text("Hi There"))),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  );
  assertEquals(
    hex(
      hmac(
        new Uint8Array(131).fill(0xaa),
        text("Test Using Larger Than Block-Size Key - Hash Key First"),
      ),
    ),
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  );
});

Deno.test("request state: what km signed verifies to the same claims", () => {
  const state = signState(claims, key);
  assertEquals(isKmState(state), true);
  assertEquals(verifyState(state, key, 9_999), claims);
});

Deno.test("request state: another key, a changed claim, expiry and junk are refused", () => {
  const state = signState(claims, key);
  assertEquals(
    verifyState(state, new Uint8Array(32).fill(8), 0),
    { error: "the requestState was not issued by this km session (signature mismatch)" },
  );
  const [, body, mac] = state.split(".");
  const forged = JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
  forged.e = 1e15;
  const forgedBody = btoa(JSON.stringify(forged)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  assertEquals(
    "error" in verifyState(`km1.${forgedBody}.${mac}`, key, 0),
    true,
  );
  assertEquals(verifyState(state, key, 10_001), { error: "the requestState has expired" });
  assertEquals(
    verifyState("km1.x", key, 0),
    { error: "the requestState is not one km issued (malformed)" },
  );
  assertEquals(isKmState("server-state"), false);
  assertEquals(isKmState(5), false);
});

Deno.test("requestHash: binds the method and every byte of the params", () => {
  const a = requestHash("tools/call", '{"arguments":{"n":12345678901234567891}}');
  const b = requestHash("tools/call", '{"arguments":{"n":12345678901234567890}}');
  const c = requestHash("prompts/get", '{"arguments":{"n":12345678901234567891}}');
  assertEquals(new Set([a, b, c]).size, 3);
});
