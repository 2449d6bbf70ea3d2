/**
 * The `opa` runs of `km policy test`, on OPA's interpreter: the directory's `_test.rego` tests,
 * and the decisions for its decision cases (which km then compares with the WASM build's).
 * Both run on a copy of the directory with km's framework, without which a policy's rules never
 * combine into `decision`. OPA's paths into the copy are shown as paths into the directory.
 * They run on km's own OPA unless an `opa` executable is asked for (policy_compiler.ts).
 */
import { type PolicyFile, policyFiles, stagePolicy } from "./load_policy.ts";
import { chooseCompiler, type PolicyCompiler, runCompiler } from "./policy_compiler.ts";
import type { ResultSet } from "../wasm/wasm_host.ts";
import { KM_BUILTINS } from "../wasm/builtins.ts";

/** What `opa test` said. */
export interface OpaTestRun {
  readonly ok: boolean;
  readonly passed: number;
  /** Tests that failed or errored. */
  readonly failed: number;
  /** OPA's output (`opa test --verbose`). */
  readonly output: string;
}

/**
 * Runs `opa test --verbose` on the policy directory `dir` (its `.rego`, `_test.rego` and data files).
 * Returns undefined when it holds no `_test.rego` file. `opaPath`: an `opa` executable to run
 * instead of km's own OPA.
 */
export async function runOpaTest(dir: string, opaPath?: string): Promise<OpaTestRun | undefined> {
  const files = await policyFiles(dir, { tests: true });
  if (!files.some((f) => f.name.endsWith("_test.rego"))) return undefined;
  return await withStaged(dir, files, opaPath, async (opa, staged, work, shown) => {
    const args = ["test", "--verbose", "--explain", "notes", ...await kmOwn(opa, work), staged];
    const run = await runOpa(opa, args, [staged]);
    const output = shown(run.output);
    const count = (label: string) =>
      Number(new RegExp(`^${label}: (\\d+)/`, "m").exec(output)?.[1]);
    const passed = count("PASS") || 0;
    const failed = (count("FAIL") || 0) + (count("ERROR") || 0);
    return { ok: run.code === 0, passed, failed, output };
  });
}

/** The interpreter's answer for one input: the result set of `kilometers/decision`, or why not. */
export type InterpreterResult = { readonly resultSet: ResultSet } | { readonly error: string };

/** Evaluates `data.kilometers.decision` for each of `inputs` with `opa eval` on `dir`. */
export async function interpreterDecisions(
  dir: string,
  inputs: readonly unknown[],
  opaPath?: string,
): Promise<InterpreterResult[]> {
  const files = await policyFiles(dir);
  return await withStaged(dir, files, opaPath, async (opa, staged, work, shown) => {
    const evaluate = async (batch: readonly unknown[]) => {
      await Deno.writeTextFile(`${work}/inputs.json`, JSON.stringify(batch));
      const { code, output } = await runOpa(opa, [
        "eval",
        ...await kmOwn(opa, work),
        "--format",
        "json",
        "--data",
        staged,
        "--input",
        `${work}/inputs.json`,
        // Keyed by index: an input whose decision is undefined leaves a gap, not a shift.
        "{j: d | some j, i in input; d := data.kilometers.decision with input as i}",
      ], [staged, `${work}/inputs.json`]);
      const result = parseEval(code, output, batch.length);
      return "error" in result ? { error: shown(result.error) } : result;
    };
    const all = await evaluate(inputs);
    if (!("error" in all)) return all.map((d) => ({ resultSet: d === undefined ? [] : [d] }));
    // One failing evaluation fails the whole query: find out which, one input at a time.
    const each: InterpreterResult[] = [];
    for (const input of inputs) {
      const one = await evaluate([input]);
      each.push("error" in one ? one : { resultSet: one[0] === undefined ? [] : [one[0]] });
    }
    return each;
  });
}

function parseEval(
  code: number,
  output: string,
  length: number,
): ({ result: unknown } | undefined)[] | { error: string } {
  let parsed: {
    result?: { expressions?: { value?: Record<string, unknown> }[] }[];
    errors?: { message?: string }[];
  };
  try {
    parsed = JSON.parse(output);
  } catch {
    return { error: `opa eval exited with code ${code}: ${output.trim()}` };
  }
  if (parsed.errors?.length || code !== 0) {
    const messages = (parsed.errors ?? []).map((e) => e.message ?? JSON.stringify(e));
    return { error: messages.join("; ") || `opa eval exited with code ${code}` };
  }
  const value = parsed.result?.[0]?.expressions?.[0]?.value ?? {};
  return Array.from(
    { length },
    (_, i) => (String(i) in value ? { result: value[String(i)] } : undefined),
  );
}

async function withStaged<T>(
  dir: string,
  files: readonly PolicyFile[],
  opaPath: string | undefined,
  fn: (
    opa: PolicyCompiler,
    staged: string,
    work: string,
    shown: (text: string) => string,
  ) => Promise<T>,
): Promise<T> {
  const opa = chooseCompiler(`policy directory "${dir}"`, opaPath);
  const work = await Deno.makeTempDir({ prefix: "km-test-" });
  try {
    const staged = `${work}/policy`;
    await stagePolicy(dir, files, staged);
    // OPA names files by where it read them; the author knows them by where they wrote them.
    return await fn(opa, staged, work, (text) => text.replaceAll(staged, dir.replace(/\/+$/, "")));
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * For an `opa` executable, `--capabilities` with OPA's own built-ins and km's (`km.*`), so that
 * it type-checks policies calling them (a test mocks them with `with`); km's in-process OPA
 * declares them itself (tools/opa-wasm/km_builtins.go). Written once per staged directory.
 */
async function kmOwn(opa: PolicyCompiler, work: string): Promise<string[]> {
  if (opa.kind !== "opa") return [];
  const path = `${work}/capabilities.json`;
  const written = await Deno.stat(path).then(() => true, () => false);
  if (!written) {
    const current = await runOpa(opa, ["capabilities", "--current"], []);
    if (current.code !== 0) {
      throw new Error(`${opa.path} capabilities --current failed: ${current.output.trim()}`);
    }
    const capabilities = JSON.parse(current.output);
    for (const [name, builtin] of Object.entries(KM_BUILTINS)) {
      if (!name.startsWith("km.")) continue;
      const nondeterministic = builtin.nondeterministic ? { nondeterministic: true } : {};
      capabilities.builtins.push({ name, decl: builtin.decl, ...nondeterministic });
    }
    await Deno.writeTextFile(path, JSON.stringify(capabilities));
  }
  return ["--capabilities", path];
}

async function runOpa(
  opa: PolicyCompiler,
  args: string[],
  reads: string[],
): Promise<{ code: number; output: string }> {
  const result = await runCompiler(opa, { args, reads });
  const dec = new TextDecoder();
  return { code: result.code, output: dec.decode(result.stdout) + dec.decode(result.stderr) };
}
