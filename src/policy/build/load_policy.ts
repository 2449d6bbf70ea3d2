/**
 * Loading the policy `km monitor --policy` names: a directory of `.rego` (+ `.json`/`.jsonc`
 * data) compiled with OPA's compiler (km's own, in-process) through a content-addressed cache, a
 * single `.rego` file (compiled as a directory holding only it), a `bundle.tar.gz` from
 * `opa build -t wasm`, or a `.wasm` module with `--policy-data`. Any other file is refused,
 * naming what was expected. This is the I/O edge; the policy is prepared once here and only
 * evaluated afterwards.
 *
 * The main file of `src/policy/build/`, everything from policy sources to a loaded policy:
 * choosing OPA (policy_compiler.ts: km's own OPA built to WebAssembly, opa_wasm.ts and its
 * worker, or an `opa` executable, find_opa.ts; opa_version.ts), compiling (compile.ts, author_modules.ts, the
 * framework module framework.ts), bundles (bundle.ts, tar.ts), what a policy reads of its input
 * (input_use.ts), `km policy test` (cases.ts, opa_test_runner.ts) and the embedded default
 * policy (default_policy.ts, its bundle and builder). It leans on src/policy/wasm/ and not on the
 * decision path in src/policy/ (src/architecture_test.ts lists the one exception).
 */
import capabilities from "../../../policies/capabilities.json" with { type: "json" };
import { KmError } from "../../errors.ts";
import { parseJsoncAs } from "../../jsonc.ts";
import { requireKmRules } from "./author_modules.ts";
import { gunzip, readBundle } from "./bundle.ts";
import { CAPABILITIES_PATH, compilePolicy, planPolicy } from "./compile.ts";
import { chooseCompiler } from "./policy_compiler.ts";
import { isCaseFile } from "./cases.ts";
import { FRAMEWORK_FILE, FRAMEWORK_REGO } from "./framework.ts";
import { OPA_VERSION } from "./opa_version.ts";
import { POLICY_KINDS, policyFileKind } from "./policy_kind.ts";
import { readTar } from "./tar.ts";
import { DECISION_ENTRYPOINT, WasmPolicy } from "../wasm/wasm_host.ts";
import { type InputUse, inputUseOf, UNKNOWN_INPUT_USE } from "./input_use.ts";

/** A policy ready to evaluate, and what identifies it in the audit log. */
export interface LoadedPolicy {
  readonly policy: WasmPolicy;
  /** The policy's content hash (sha256 of what was compiled, first 16 hex digits). */
  readonly revision: string;
  /** The path it was loaded from. */
  readonly source: string;
  /** What it reads of its input (UNKNOWN_INPUT_USE for a module compiled elsewhere). */
  readonly inputUse: InputUse;
}

export interface PolicyLoadOptions {
  /** `.wasm` only: a JSON/JSONC file with the policy's `data`. */
  readonly dataPath?: string;
  /** Where compiled directories are cached (e.g. `<data dir>/policy-cache`); none: no cache. */
  readonly cacheDir?: string;
  /**
   * An `opa` executable to compile with; default: km's own OPA, run in-process, unless
   * KM_POLICY_COMPILER asks for an executable (policy_compiler.ts).
   */
  readonly opa?: string;
}

/** Loads the policy at `path`. Throws KmError POLICY_* naming the file and the problem. */
export async function loadPolicy(
  path: string,
  options: PolicyLoadOptions = {},
): Promise<LoadedPolicy> {
  const stat = await Deno.stat(path).catch(() => undefined);
  if (!stat) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot load policy "${path}": not found`,
      `--policy takes ${POLICY_KINDS}`,
    );
  }
  const kind = stat.isDirectory ? "directory" : policyFileKind(path, await readHead(path));
  if (options.dataPath !== undefined && kind !== "wasm") {
    throw new KmError(
      "USAGE",
      `--policy-data is for a .wasm policy; "${path}" carries its own data`,
      kind === "directory"
        ? "put the data file (.json or .jsonc) in the policy directory instead"
        : kind === "rego"
        ? "put the .rego file and the data file (.json or .jsonc) in a directory, and pass that"
        : "a bundle holds its data: rebuild it with the data file in the policy directory",
    );
  }
  if (kind === "directory") return await loadDirectory(path, options);
  if (kind === "rego") return await loadRegoFile(path, options);
  if (kind === undefined) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot load policy "${path}": it is neither a .rego file, a bundle (.tar.gz, a gzip ` +
        "file) nor a .wasm module",
      `--policy takes ${POLICY_KINDS}`,
    );
  }
  const bytes = await Deno.readFile(path);
  if (kind === "wasm") {
    const data = options.dataPath ? await readData(options.dataPath) : {};
    const revision = await revisionOf([bytes, new TextEncoder().encode(JSON.stringify(data))]);
    const policy = await WasmPolicy.load(bytes, data, { name: path });
    return { policy, revision, source: path, inputUse: UNKNOWN_INPUT_USE };
  }
  const bundle = await readBundle(bytes, path);
  await requireDecision(bytes, bundle.entrypoints, path);
  const policy = await WasmPolicy.load(bundle.wasm, bundle.data, { name: path });
  return { policy, revision: await revisionOf([bytes]), source: path, inputUse: UNKNOWN_INPUT_USE };
}

/**
 * Throws POLICY_INVALID when the bundle at `path` (its `bytes`) was built for entrypoints other
 * than `kilometers/decision`, naming them, or was built with km's framework from rules km does
 * not evaluate (author_modules.ts). A bundle built without the framework decides by itself.
 */
async function requireDecision(bytes: Uint8Array, entrypoints: string[], path: string) {
  if (entrypoints.length > 0 && !entrypoints.includes(DECISION_ENTRYPOINT)) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot load policy bundle "${path}": it has no entrypoint "${DECISION_ENTRYPOINT}" ` +
        `(it has: ${entrypoints.join(", ")}); km evaluates the decision of package kilometers`,
      "rebuild it from rules in `package kilometers` with: km policy build <dir>",
    );
  }
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
  const rego = readTar(tar).filter((e) => e.kind === "file" && e.name.endsWith(".rego"));
  const isFramework = (name: string) => name.split("/").pop() === FRAMEWORK_FILE;
  if (!rego.some((e) => isFramework(e.name))) return;
  const modules = rego
    .filter((e) => !isFramework(e.name) && !e.name.endsWith("_test.rego"))
    .map((e) => ({ file: e.name.replace(/^\.?\/+/, ""), text: new TextDecoder().decode(e.bytes) }));
  requireKmRules(path, modules);
}

/** The first bytes of the file at `path` (enough for a magic number). */
async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const head = new Uint8Array(4);
  const n = await file.read(head);
  return head.subarray(0, n ?? 0);
}

async function loadDirectory(dir: string, options: PolicyLoadOptions): Promise<LoadedPolicy> {
  const { bundle, revision, inputUse } = await buildDirectory(dir, options);
  const { wasm, data } = await readBundle(bundle, dir);
  const policy = await WasmPolicy.load(wasm, data, { name: dir });
  return { policy, revision, source: dir, inputUse };
}

/** A single .rego file, compiled as a directory that holds only it. */
async function loadRegoFile(path: string, options: PolicyLoadOptions): Promise<LoadedPolicy> {
  const { bundle, revision, inputUse } = await buildRegoFile(path, options);
  const { wasm, data } = await readBundle(bundle, path);
  const policy = await WasmPolicy.load(wasm, data, { name: path });
  return { policy, revision, source: path, inputUse };
}

/** A policy directory compiled to a bundle, and the revision `km monitor` records for it. */
export interface BuiltDirectory {
  readonly bundle: Uint8Array<ArrayBuffer>;
  readonly revision: string;
  /** What the policy reads of its input, from the same build planned (input_use.ts). */
  readonly inputUse: InputUse;
}

/**
 * Compiles the policy directory `dir` as `km monitor --policy` does: its Rego and data with
 * km's framework and capabilities, JSONC data converted to JSON (through the cache when
 * `options.cacheDir` is set). Throws KmError POLICY_* with OPA's messages.
 */
export async function buildDirectory(
  dir: string,
  options: PolicyLoadOptions = {},
): Promise<BuiltDirectory> {
  const files = await policyFiles(dir);
  if (!files.some((f) => f.name.endsWith(".rego"))) {
    throw new KmError("POLICY_INVALID", `Cannot load policy "${dir}": it holds no .rego file`);
  }
  return await buildFiles(dir, files, `policy directory "${dir}"`, options);
}

/**
 * Compiles the single .rego file at `path` as `buildDirectory` compiles a directory holding only
 * it (OPA's messages then name `path`). Throws KmError POLICY_* as buildDirectory does.
 */
export async function buildRegoFile(
  path: string,
  options: PolicyLoadOptions = {},
): Promise<BuiltDirectory> {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const [dir, name] = cut < 0 ? [".", path] : [path.slice(0, cut) || "/", path.slice(cut + 1)];
  if (name.endsWith("_test.rego")) {
    throw new KmError(
      "POLICY_INVALID",
      `Cannot load policy "${path}": a _test.rego file holds tests, not rules to enforce`,
      "pass the policy's own .rego file, or the directory that holds both",
    );
  }
  if (name === FRAMEWORK_FILE) {
    throw new KmError(
      "POLICY_INVALID",
      `Policy file "${path}": this name is reserved for km's framework`,
    );
  }
  const bytes = await Deno.readFile(path);
  requireKmRules(path, [{ file: path, text: new TextDecoder().decode(bytes) }]);
  try {
    return await buildFiles(dir, [{ name, bytes }], `policy file "${path}"`, options);
  } catch (error) {
    // OPA's messages name the scratch copy: name the author's file instead.
    if (!(error instanceof KmError)) throw error;
    const hint = error.hint && nameSources(error.hint, dir);
    throw new KmError(error.code, nameSources(error.message, dir), hint);
  }
}

/** Compiles `files` of the directory `dir` (through the cache); `what` names them in errors. */
async function buildFiles(
  dir: string,
  files: readonly PolicyFile[],
  what: string,
  options: PolicyLoadOptions,
): Promise<BuiltDirectory> {
  const capabilitiesText = JSON.stringify(capabilities);
  const enc = new TextEncoder();
  const revision = await revisionOf([
    enc.encode(`opa ${OPA_VERSION}\n${FRAMEWORK_REGO}\n${capabilitiesText}`),
    ...files.flatMap((f) => [enc.encode(`\n${f.name}\n`), f.bytes]),
  ]);
  const cached = options.cacheDir ? `${options.cacheDir}/${revision}` : undefined;
  let bundle: Uint8Array<ArrayBuffer> | undefined = cached
    ? await Deno.readFile(`${cached}.tar.gz`).catch(() => undefined)
    : undefined;
  let inputUse = cached && bundle ? await readInputUse(`${cached}.input.json`) : undefined;
  if (!bundle || !inputUse) {
    const compiler = chooseCompiler(what, options.opa);
    const work = await Deno.makeTempDir({ prefix: "km-build-" });
    try {
      await stagePolicy(dir, files, `${work}/policy`);
      await Deno.writeTextFile(`${work}/capabilities.json`, capabilitiesText);
      const build = { compiler, capabilities: `${work}/capabilities.json` };
      bundle ??= await compilePolicy([`${work}/policy`], build);
      inputUse = await planPolicy([`${work}/policy`], build).then(inputUseOf, () =>
        // The plan only makes evaluation cheaper: without it, the policy gets all its input.
        UNKNOWN_INPUT_USE);
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
    if (cached) {
      await writeCache(`${cached}.input.json`, new TextEncoder().encode(JSON.stringify(inputUse)));
      await writeCache(`${cached}.tar.gz`, bundle);
    }
  }
  return { bundle, revision, inputUse };
}

/** A cached input use, or undefined when there is none (or it is not one). */
async function readInputUse(path: string): Promise<InputUse | undefined> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    const members = value?.members;
    if (members === undefined) return typeof value === "object" && value !== null ? {} : undefined;
    return Array.isArray(members) && members.every((m) => typeof m === "string")
      ? { members }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `text` (OPA's messages, an evaluation error) with the scratch copy `buildDirectory` compiles
 * from named as the directory `dir`, and its capabilities as km's: the module and OPA's
 * messages name the copy.
 */
export function nameSources(text: string, dir: string): string {
  const scratch = String.raw`[^\s"'(]*km-build-[^/\\\s]+[/\\]`;
  return text
    .replace(new RegExp(`${scratch}policy`, "g"), dir.replace(/[/\\]+$/, ""))
    .replace(new RegExp(`${scratch}capabilities\\.json`, "g"), CAPABILITIES_PATH);
}

/** A file of a policy directory. */
export interface PolicyFile {
  /** Path relative to the policy directory, with `/`. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * The `.rego` and data files of `dir`, recursively, sorted. `_test.rego` files are left out
 * unless `tests` is set; decision-case files (cases.ts) are always left out: they are not data.
 * Throws POLICY_INVALID when the rules are not ones km evaluates (author_modules.ts), so that
 * every use of a directory (monitor, reload, build, test, eval) refuses such a policy alike.
 */
export async function policyFiles(dir: string, { tests = false } = {}): Promise<PolicyFile[]> {
  const files = await listFiles(dir, tests, "");
  const modules = files
    .filter((f) => f.name.endsWith(".rego") && !f.name.endsWith("_test.rego"))
    .map((f) => ({ file: f.name, text: new TextDecoder().decode(f.bytes) }));
  // No .rego at all: buildDirectory says so in its own words.
  if (modules.length > 0) requireKmRules(dir, modules);
  return files;
}

async function listFiles(dir: string, tests: boolean, prefix: string): Promise<PolicyFile[]> {
  const out: PolicyFile[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...await listFiles(dir, tests, `${name}/`));
    else if (
      /\.(rego|json|jsonc)$/.test(name) && (tests || !name.endsWith("_test.rego")) &&
      !isCaseFile(entry.name)
    ) {
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

/** Writes `files` of `dir` and km's framework to the new directory `target`, JSONC as JSON. */
export async function stagePolicy(
  dir: string,
  files: readonly PolicyFile[],
  target: string,
): Promise<void> {
  await Deno.mkdir(target, { recursive: true });
  for (const file of files) {
    const path = `${target}/${file.name.replace(/\.jsonc$/, ".json")}`;
    await Deno.mkdir(path.replace(/\/[^/]*$/, ""), { recursive: true });
    if (file.name.endsWith(".jsonc")) {
      const value = jsoncData(`${dir}/${file.name}`, new TextDecoder().decode(file.bytes));
      await Deno.writeTextFile(path, JSON.stringify(value));
    } else {
      await Deno.writeFile(path, file.bytes);
    }
  }
  await Deno.writeTextFile(`${target}/${FRAMEWORK_FILE}`, FRAMEWORK_REGO);
}

async function readData(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path).catch((error) => {
    throw new KmError("POLICY_INVALID", `Cannot read policy data "${path}": ${error.message}`);
  });
  return jsoncData(path, text);
}

function jsoncData(path: string, text: string): unknown {
  return parseJsoncAs(text, `policy data "${path}"`, "POLICY_INVALID");
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

/** A revision: the first 16 hex digits of the sha256 of `parts`, concatenated. */
export async function revisionOf(parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
