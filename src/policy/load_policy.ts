/**
 * Loading the policy `km monitor --policy` names: a directory of `.rego` (+ `.json`/`.jsonc`
 * data) compiled with the real `opa` through a content-addressed cache, a `bundle.tar.gz` from
 * `opa build -t wasm`, or a `.wasm` module with `--policy-data`. This is the I/O edge; the
 * policy is prepared once here and only evaluated afterwards.
 */
import capabilities from "../../policies/capabilities.json" with { type: "json" };
import { KmError } from "../errors.ts";
import { parseJsonc } from "../config/jsonc.ts";
import { readBundle } from "./bundle.ts";
import { compilePolicy } from "./compile.ts";
import { findOpa, systemOpaLookup } from "./find_opa.ts";
import { FRAMEWORK_FILE, FRAMEWORK_REGO } from "./framework.ts";
import { OPA_VERSION } from "./opa_version.ts";
import { WasmPolicy } from "./wasm_host.ts";

/** A policy ready to evaluate, and what identifies it in the audit log. */
export interface LoadedPolicy {
  readonly policy: WasmPolicy;
  /** The policy's content hash (sha256 of what was compiled, first 16 hex digits). */
  readonly revision: string;
  /** The path it was loaded from. */
  readonly source: string;
}

export interface LoadOptions {
  /** `.wasm` only: a JSON/JSONC file with the policy's `data`. */
  readonly dataPath?: string;
  /** Where compiled directories are cached (e.g. `<data dir>/policy-cache`); none: no cache. */
  readonly cacheDir?: string;
  /** The `opa` to compile with; default: `findOpa` (.tools/bin, then PATH). */
  readonly opa?: string;
}

/** Loads the policy at `path`. Throws KmError POLICY_* naming the file and the problem. */
export async function loadPolicy(path: string, options: LoadOptions = {}): Promise<LoadedPolicy> {
  const stat = await Deno.stat(path).catch(() => undefined);
  if (!stat) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot load policy "${path}": not found`,
      "--policy takes a directory of .rego files, a bundle.tar.gz or a .wasm file",
    );
  }
  if (stat.isDirectory) return await loadDirectory(path, options);
  const bytes = await Deno.readFile(path);
  if (path.endsWith(".wasm")) {
    const data = options.dataPath ? await readData(options.dataPath) : {};
    const revision = await hash([bytes, new TextEncoder().encode(JSON.stringify(data))]);
    return { policy: await WasmPolicy.load(bytes, data, { name: path }), revision, source: path };
  }
  const bundle = await readBundle(bytes, path);
  const policy = await WasmPolicy.load(bundle.wasm, bundle.data, { name: path });
  return { policy, revision: await hash([bytes]), source: path };
}

async function loadDirectory(dir: string, options: LoadOptions): Promise<LoadedPolicy> {
  const files = await policyFiles(dir);
  if (!files.some((f) => f.name.endsWith(".rego"))) {
    throw new KmError("POLICY_INVALID", `Cannot load policy "${dir}": it holds no .rego file`);
  }
  const capabilitiesText = JSON.stringify(capabilities);
  const enc = new TextEncoder();
  const revision = await hash([
    enc.encode(`opa ${OPA_VERSION}\n${FRAMEWORK_REGO}\n${capabilitiesText}`),
    ...files.flatMap((f) => [enc.encode(`\n${f.name}\n`), f.bytes]),
  ]);
  const cached = options.cacheDir ? `${options.cacheDir}/${revision}.tar.gz` : undefined;
  let bundle: Uint8Array | undefined = cached
    ? await Deno.readFile(cached).catch(() => undefined)
    : undefined;
  if (!bundle) {
    const compiled = await compileDirectory(dir, files, capabilitiesText, options.opa);
    if (cached) await writeCache(cached, compiled);
    bundle = compiled;
  }
  const { wasm, data } = await readBundle(bundle, dir);
  return { policy: await WasmPolicy.load(wasm, data, { name: dir }), revision, source: dir };
}

interface PolicyFile {
  /** Path relative to the policy directory, with `/`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The `.rego` and data files of `dir`, recursively, sorted; `_test.rego` files are left out. */
async function policyFiles(dir: string, prefix = ""): Promise<PolicyFile[]> {
  const out: PolicyFile[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...await policyFiles(dir, `${name}/`));
    else if (/\.(rego|json|jsonc)$/.test(name) && !name.endsWith("_test.rego")) {
      if (entry.name === FRAMEWORK_FILE) {
        throw new KmError(
          "POLICY_INVALID",
          `Policy file "${dir}/${name}": this name is reserved for km's framework`,
        );
      }
      out.push({ name, bytes: await Deno.readFile(`${dir}/${name}`) });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Compiles the files with the framework in a scratch directory (JSONC data becomes JSON). */
async function compileDirectory(
  dir: string,
  files: PolicyFile[],
  capabilitiesText: string,
  opaPath: string | undefined,
): Promise<Uint8Array> {
  const opa = opaPath ?? findOpa(systemOpaLookup());
  if (!opa) {
    throw new KmError(
      "POLICY_COMPILER_NOT_FOUND",
      `Cannot compile policy directory "${dir}": the OPA compiler (opa) was not found`,
      "install it (deno run -A scripts/install_opa.ts, or opa on PATH), or pass a bundle built " +
        "with: opa build -t wasm -e kilometers/decision",
    );
  }
  const work = await Deno.makeTempDir({ prefix: "km-build-" });
  try {
    const src = `${work}/policy`;
    await Deno.mkdir(src);
    for (const file of files) {
      const target = `${src}/${file.name.replace(/\.jsonc$/, ".json")}`;
      await Deno.mkdir(target.replace(/\/[^/]*$/, ""), { recursive: true });
      if (file.name.endsWith(".jsonc")) {
        const value = jsoncData(`${dir}/${file.name}`, new TextDecoder().decode(file.bytes));
        await Deno.writeTextFile(target, JSON.stringify(value));
      } else {
        await Deno.writeFile(target, file.bytes);
      }
    }
    await Deno.writeTextFile(`${src}/${FRAMEWORK_FILE}`, FRAMEWORK_REGO);
    await Deno.writeTextFile(`${work}/capabilities.json`, capabilitiesText);
    return await compilePolicy([src], { opa, capabilities: `${work}/capabilities.json` });
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function readData(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path).catch((error) => {
    throw new KmError("POLICY_INVALID", `Cannot read policy data "${path}": ${error.message}`);
  });
  return jsoncData(path, text);
}

function jsoncData(path: string, text: string): unknown {
  try {
    return parseJsonc(text);
  } catch (error) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot parse policy data "${path}": ${(error as Error).message}`,
    );
  }
}

async function writeCache(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.mkdir(path.replace(/\/[^/]*$/, ""), { recursive: true, mode: 0o700 });
    await Deno.writeFile(`${path}.tmp`, bytes);
    await Deno.rename(`${path}.tmp`, path);
  } catch {
    // A cache that cannot be written only costs a compile next time.
  }
}

async function hash(parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
