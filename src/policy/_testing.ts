/**
 * Test helpers: compile Rego with the real, pinned OPA and load the result. Not part of km.
 */
import { readBundle } from "./build/bundle.ts";
import { compilePolicy } from "./build/compile.ts";
import type { Decision } from "./decision.ts";
import { findOpa, systemOpaLookup } from "./build/find_opa.ts";
import { WasmPolicy, type WasmPolicyOptions } from "./wasm/wasm_host.ts";

/** The opa the tests use; fails loudly rather than skipping the policy tests. */
export function requireOpa(): string {
  const opa = findOpa(systemOpaLookup());
  if (!opa) {
    throw new Error(
      "The policy tests need the OPA compiler: run deno run -A scripts/install_opa.ts",
    );
  }
  return opa;
}

/** Writes `files` (name to content) to a temporary directory, runs `fn` on it, removes it. */
export async function withFiles<T>(
  files: Record<string, string>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "km-policy-test-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, content);
    }
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `files` (name to content) to a temporary directory and compiles it. */
export function compileFiles(
  files: Record<string, string>,
  capabilities?: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return withFiles(files, (dir) => compilePolicy([dir], { opa: requireOpa(), capabilities }));
}

/** Compiles a one-file policy (plus optional data) and loads it. */
export async function loadRego(
  rego: string,
  options: WasmPolicyOptions & { data?: unknown } = {},
): Promise<WasmPolicy> {
  const files: Record<string, string> = { "policy.rego": rego };
  if (options.data !== undefined) files["data.json"] = JSON.stringify(options.data);
  const { wasm, data } = await readBundle(await compileFiles(files));
  return await WasmPolicy.load(wasm, data, options);
}

const enc = new TextEncoder();

/** A tar member for `tarArchive`. */
export interface TarMember {
  name: string;
  body?: string;
  type?: string;
  prefix?: string;
}

/** A tar archive as Go's archive/tar lays it out, for the cases the reader must handle. */
export function tarArchive(
  members: TarMember[],
  { end = true } = {},
): Uint8Array<ArrayBuffer> {
  const blocks: Uint8Array[] = [];
  for (const { name, body = "", type = "0", prefix = "" } of members) {
    const data = enc.encode(body);
    const header = new Uint8Array(512);
    header.set(enc.encode(name).subarray(0, 100), 0);
    header.set(enc.encode("0000600\0"), 100);
    header.set(enc.encode(data.length.toString(8).padStart(11, "0") + "\0"), 124);
    header[156] = type.charCodeAt(0);
    header.set(enc.encode("ustar\u000000"), 257);
    header.set(enc.encode(prefix), 345);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(header, padded);
  }
  if (end) blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) out.set(b, (at += b.length) - b.length);
  return out;
}

/** PAX extended-header records. */
export function pax(records: Record<string, string>): string {
  return Object.entries(records).map(([key, value]) => {
    const text = ` ${key}=${value}\n`;
    let length = text.length + 1;
    while (String(length).length + text.length !== length) length++;
    return `${length}${text}`;
  }).join("");
}

/** The decision of a policy none of whose rules fired. */
export const ALLOW_DECISION: Decision = {
  action: "allow",
  deny: [],
  ask: [],
  patch: [],
  redact: [],
  hide: [],
  risk: 0,
  labels: [],
  tolerate: [],
};
