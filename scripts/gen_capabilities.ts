// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * Writes `policies/capabilities.json`: the built-ins a km policy may call, which `opa build`
 * and `opa check` are given as `--capabilities`, so that a policy calling anything else (e.g.
 * `http.send`) fails at compile time rather than at evaluation.
 *
 *   deno run -A scripts/install_opa.ts && deno run -A scripts/gen_capabilities.ts
 *
 * The file is `opa capabilities --current` of the pinned OPA, keeping only
 *   - the built-ins OPA's WASM target implements natively: the `builtinsFunctions` map (and the
 *     two special cases of `IsWasmEnabled`) in internal/compiler/wasm/wasm.go of the OPA source,
 *     whose Go names are mapped to Rego names through v1/ast/builtins.go, and
 *   - the built-ins km supplies itself (KM_BUILTINS in src/policy/wasm/builtins.ts), with OPA's
 *     declaration where OPA has one (checked against km's) and km's otherwise.
 * The OPA source is read from the Go module cache, where `go install` left it.
 */
import { KM_BUILTINS } from "../src/policy/wasm/builtins.ts";
import { findOpa, KM_ROOT, systemOpaLookup } from "../src/policy/build/find_opa.ts";
import { OPA_VERSION } from "../src/policy/build/opa_version.ts";

const OUT = `${KM_ROOT}policies/capabilities.json`;

interface Capability {
  name: string;
  decl: { args?: unknown[]; result?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

async function run(cmd: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args }).output();
  const dec = new TextDecoder();
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${dec.decode(stderr)}`);
  return dec.decode(stdout);
}

/** Rego names of the built-ins OPA's WASM compiler implements natively. */
async function wasmNativeBuiltins(): Promise<Set<string>> {
  const cache = (await run("go", ["env", "GOMODCACHE"])).trim();
  const src = `${cache}/github.com/open-policy-agent/opa@v${OPA_VERSION}`;
  const read = (path: string) =>
    Deno.readTextFile(`${src}/${path}`).catch(() => {
      throw new Error(`${src}/${path} is missing; run scripts/install_opa.ts (it runs go install)`);
    });
  const wasmGo = await read("internal/compiler/wasm/wasm.go");
  const builtinsGo = await read("v1/ast/builtins.go");

  const map = /var builtinsFunctions = map\[string\]string\{([\s\S]*?)\n\}/.exec(wasmGo)?.[1];
  const special = /func IsWasmEnabled\(bi string\) bool \{([\s\S]*?)\n\}/.exec(wasmGo)?.[1];
  if (!map || !special) throw new Error("wasm.go no longer has builtinsFunctions/IsWasmEnabled");
  const goNames = [...`${map}\n${special}`.matchAll(/ast\.(\w+)\.Name/g)].map((m) => m[1]);

  const regoName = new Map(
    [...builtinsGo.matchAll(/^var (\w+) = &Builtin\{\s*Name:\s*"([^"]+)"/gm)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  return new Set(goNames.map((goName) => {
    const name = regoName.get(goName);
    if (!name) throw new Error(`no Rego name for ast.${goName} in v1/ast/builtins.go`);
    return name;
  }));
}

/** Types only: OPA's declarations also carry names and descriptions of the arguments. */
function types(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(types);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([k]) => k !== "name" && k !== "description").sort()
      .map(([k, v]) => [k, types(v)]),
  );
}

async function main(): Promise<void> {
  const opa = findOpa(systemOpaLookup());
  if (!opa) throw new Error("no opa found; run: deno run -A scripts/install_opa.ts");
  const version = /^Version:\s*(\S+)/m.exec(await run(opa, ["version"]))?.[1];
  if (version !== OPA_VERSION) throw new Error(`${opa} is OPA ${version}, need ${OPA_VERSION}`);

  const current = JSON.parse(await run(opa, ["capabilities", "--current"]));
  const byName = new Map<string, Capability>(
    (current.builtins as Capability[]).map((b) => [b.name, b]),
  );
  const native = await wasmNativeBuiltins();
  for (const name of native) {
    if (!byName.has(name)) throw new Error(`WASM-native built-in ${name} is not in capabilities`);
  }

  const km: Capability[] = Object.entries(KM_BUILTINS).map(([name, definition]) => {
    const opaOwn = byName.get(name);
    const decl = { ...definition.decl };
    if (!opaOwn) {
      return { name, decl, ...(definition.nondeterministic ? { nondeterministic: true } : {}) };
    }
    if (native.has(name)) throw new Error(`${name} is native in WASM; km must not supply it`);
    // OPA leaves out `args` when there are none.
    const [want, got] = [opaOwn.decl, decl].map((d) => JSON.stringify(types({ args: [], ...d })));
    if (want !== got) throw new Error(`km declares ${name} as ${got}, OPA as ${want}`);
    return opaOwn;
  });

  const builtins = [...[...native].map((name) => byName.get(name)!), ...km]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const capabilities = { ...current, builtins };
  await Deno.writeTextFile(OUT, JSON.stringify(capabilities, null, 2) + "\n");
  // deno fmt owns the layout of JSON files in this repository.
  await run(Deno.execPath(), ["fmt", "--quiet", OUT]);
  console.error(
    `gen_capabilities: wrote ${OUT}: ${native.size} WASM-native built-ins of OPA ` +
      `${OPA_VERSION} and km's ${km.map((b) => b.name).join(", ")}`,
  );
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`gen_capabilities: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
