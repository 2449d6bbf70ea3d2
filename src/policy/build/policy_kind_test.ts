import { equal } from "node:assert/strict";
import { policyFileKind } from "./policy_kind.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const TEXT = new TextEncoder().encode("package kilometers\n");

Deno.test("policyFileKind: a .rego file by its name, whatever it holds", () => {
  equal(policyFileKind("/p/policy.rego", TEXT), "rego");
  equal(policyFileKind("POLICY.REGO", bytes()), "rego");
});

Deno.test("policyFileKind: a bundle by gzip's magic number or its name; a module by WebAssembly's or its name", () => {
  equal(policyFileKind("/p/bundle.tar.gz", bytes(0x1f, 0x8b, 8, 0)), "bundle");
  equal(policyFileKind("/p/renamed.bin", bytes(0x1f, 0x8b, 8, 0)), "bundle");
  equal(policyFileKind("/p/broken.tgz", TEXT), "bundle", "the bundle reader says what is wrong");
  equal(policyFileKind("/p/plain.tar", TEXT), "bundle");
  equal(policyFileKind("/p/policy.wasm", bytes()), "wasm");
  equal(policyFileKind("/p/policy", bytes(0, 0x61, 0x73, 0x6d)), "wasm");
});

Deno.test("policyFileKind: anything else is no policy file", () => {
  equal(policyFileKind("/p/policy.json", TEXT), undefined);
  equal(policyFileKind("/p/notes.txt", TEXT), undefined);
  equal(policyFileKind("/p/empty", bytes()), undefined);
  equal(policyFileKind("/p/policy.rego.bak", TEXT), undefined);
});
