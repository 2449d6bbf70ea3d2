import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { tarArchive } from "../_testing.ts";
import { gunzip, readBundle } from "./bundle.ts";
import { KmError } from "../../errors.ts";

const WASM_MAGIC = "\0asm\x01\0\0\0";

function invalid(fragment: string) {
  return (e: unknown) => {
    ok(e instanceof KmError, String(e));
    equal(e.code, "POLICY_INVALID");
    ok(e.message.includes(fragment), e.message);
    return true;
  };
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("readBundle accepts an uncompressed tar and relative member names", async () => {
  const tar = tarArchive([{ name: "./policy.wasm", body: WASM_MAGIC }]);
  const { wasm, data, entrypoints } = await readBundle(tar);
  equal(wasm.length, 8);
  assertEquals(data, {});
  assertEquals(entrypoints, []);
});

Deno.test("readBundle finds the module the manifest names", async () => {
  const manifest = { wasm: [{ entrypoint: "kilometers/decision", module: "/m/x.wasm" }] };
  const tar = tarArchive([
    { name: "/.manifest", body: JSON.stringify(manifest) },
    { name: "/m/x.wasm", body: WASM_MAGIC },
  ]);
  const { wasm, entrypoints } = await readBundle(await gzip(tar));
  equal(wasm.length, 8);
  assertEquals(entrypoints, ["kilometers/decision"]);
});

Deno.test("readBundle rejects a bundle without a WASM module", async () => {
  const tar = tarArchive([{ name: "/p.rego", body: "package kilometers" }]);
  await rejects(readBundle(tar, "b.tar.gz"), invalid(`"b.tar.gz": it has no /policy.wasm`));
});

Deno.test("readBundle rejects a data.json that is not JSON", async () => {
  const tar = tarArchive([
    { name: "/policy.wasm", body: WASM_MAGIC },
    { name: "/data.json", body: "{oops" },
  ]);
  await rejects(readBundle(tar), invalid("/data.json is not JSON"));
});

Deno.test("readBundle rejects bytes that are neither gzip nor tar, and broken gzip", async () => {
  await rejects(readBundle(new TextEncoder().encode("x".repeat(600))), invalid("checksum"));
  const gz = await gzip(tarArchive([{ name: "/policy.wasm", body: WASM_MAGIC }]));
  await rejects(readBundle(gz.subarray(0, gz.length - 10)), invalid("Cannot load policy bundle"));
});

Deno.test("gunzip inflates what CompressionStream deflated", async () => {
  const text = "policy ".repeat(1000);
  const bytes = await gunzip(await gzip(new TextEncoder().encode(text)));
  equal(new TextDecoder().decode(bytes), text);
});
