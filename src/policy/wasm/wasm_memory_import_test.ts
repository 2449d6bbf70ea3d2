import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { memoryImportLimits } from "./wasm_memory_import.ts";

/** A module with a function type, a function import, a global import and a memory import. */
function module(memoryLimits: number[]): Uint8Array<ArrayBuffer> {
  const str = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const imports = [
    3, // count
    ...str("env"),
    ...str("f"),
    0,
    0, // function of type 0
    ...str("env"),
    ...str("g"),
    3,
    0x7f,
    0, // global i32, immutable
    ...str("env"),
    ...str("memory"),
    2,
    ...memoryLimits,
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    4,
    1,
    0x60,
    0,
    0, // type section: () -> ()
    2,
    imports.length,
    ...imports,
  ]);
}

Deno.test("memoryImportLimits reads the minimum of env.memory past other imports", () => {
  assertEquals(memoryImportLimits(module([0, 2])), { initial: 2 });
});

Deno.test("memoryImportLimits reads a maximum and multi-byte page counts", () => {
  assertEquals(memoryImportLimits(module([1, 0x80, 0x01, 0x90, 0x03])), {
    initial: 128,
    maximum: 400,
  });
});

Deno.test("memoryImportLimits returns undefined for a module that imports no memory", () => {
  equal(memoryImportLimits(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), undefined);
  equal(memoryImportLimits(module([0, 2]), "env", "other"), undefined);
});

Deno.test("memoryImportLimits rejects bytes that are not WebAssembly", () => {
  throws(() => memoryImportLimits(new TextEncoder().encode("{}\n\n\n\n\n\n")), /bad magic/);
  throws(() => memoryImportLimits(module([0, 2]).subarray(0, 20)), /truncated/);
});

Deno.test("memoryImportLimits agrees with what WebAssembly accepts", () => {
  const bytes = module([0, 3]);
  const { initial } = memoryImportLimits(bytes)!;
  const imports = (pages: number) => ({
    env: { f() {}, g: 1, memory: new WebAssembly.Memory({ initial: pages }) },
  });
  new WebAssembly.Instance(new WebAssembly.Module(bytes), imports(initial));
  throws(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), imports(initial - 1)));
});
