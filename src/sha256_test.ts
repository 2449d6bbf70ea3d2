import { equal } from "node:assert/strict";
import { sha256, sha256Hex } from "./sha256.ts";

const enc = new TextEncoder();

// FIPS 180-4 / NIST CSRC example vectors.
const VECTORS: [string, string][] = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  [
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  ],
  [
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  ],
];

Deno.test("sha256Hex matches the FIPS 180-4 example vectors", () => {
  for (const [message, digest] of VECTORS) equal(sha256Hex(enc.encode(message)), digest, message);
});

Deno.test("sha256Hex of one million 'a' matches the long-message vector", () => {
  const million = new Uint8Array(1_000_000).fill(0x61);
  equal(sha256Hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
});

Deno.test("sha256 agrees with WebCrypto on every length around the padding boundaries", async () => {
  const bytes = new Uint8Array(200).map((_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 200; length++) {
    const input = bytes.subarray(0, length);
    const want = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
    equal(sha256(input).join(","), want.join(","), `length ${length}`);
  }
});
