/**
 * `km policy build|test|eval`: compile a policy directory to a bundle, test it on OPA's
 * interpreter and on its WASM build, evaluate one input document. Results go to `io.out`.
 */
import { parseMixed } from "./mixed_options.ts";
import { suggest } from "../suggest.ts";
import { type JsoncError, parseJsonc } from "../jsonc.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { type Decision, firedRules, MalformedDecision, readDecision } from "../policy/decision.ts";
import type { LoadedPolicy, PolicyLoadOptions } from "../policy/build/load_policy.ts";
import { buildDirectory, nameSources, revisionOf } from "../policy/build/load_policy.ts";
import {
  type DecisionCase,
  isCaseFile,
  judgeCase,
  type Outcome,
  parseCases,
} from "../policy/build/cases.ts";
import { interpreterDecisions, runOpaTest } from "../policy/build/opa_test_runner.ts";
import type { ResultSet } from "../policy/wasm/wasm_host.ts";
import { HELP_OPTION } from "./common_options.ts";
import { inputWarnings } from "./input_members.ts";
import { commandHelp, type CommandInfo } from "./help.ts";

/** What `km policy` needs of the CLI's io. */
export interface PolicyIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  /** Read by `km policy eval` for `--input -`. */
  readonly stdin: ReadableStream<Uint8Array>;
  readonly loadPolicy: (path: string, options: PolicyLoadOptions) => Promise<LoadedPolicy>;
}

type Values = Readonly<Record<string, string | boolean | string[]>>;

interface Subcommand extends CommandInfo {
  /** How many positional arguments it takes. */
  readonly positionals: 0 | 1;
  run(values: Values, args: readonly string[], io: PolicyIo): Promise<number>;
}

const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: "policy build",
    summary: "compile a policy directory to a WASM bundle",
    usage: "km policy build <dir> [-o FILE]",
    positionals: 1,
    options: [
      {
        name: "output",
        short: "o",
        kind: "value",
        valueName: "FILE",
        description: "where to write the bundle (default ./bundle.tar.gz)",
      },
      HELP_OPTION,
    ],
    details: `Compiles the directory as \`km monitor --policy <dir>\` does: its .rego files (not
_test.rego) and .json/.jsonc data, with km's framework and capabilities. Prints two revisions:
the bundle's, which \`km monitor --policy FILE\` records in the audit log, and the sources',
which \`km monitor --policy <dir>\` records.
Exit codes: 0 built; 2 the policy does not compile (OPA's message is shown).`,
    async run(values, [dir], io) {
      await requireDirectory(dir, "build");
      const output = (values.output as string | undefined) ?? "bundle.tar.gz";
      const { bundle, revision } = await inSources(dir, () => buildDirectory(dir));
      try {
        await Deno.writeFile(output, bundle);
      } catch (error) {
        throw new KmError(
          "INTERNAL",
          `Cannot write bundle "${output}": ${(error as Error).message}`,
        );
      }
      // Two revisions: the bundle embeds the scratch path it was compiled from, so only the
      // sources' is the same from one build to the next.
      io.out.write(`wrote ${output}, revision ${await revisionOf([bundle])}\n`);
      io.out.write(`source ${dir}, revision ${revision}\n`);
      return 0;
    },
  },
  {
    name: "policy test",
    summary: "run a policy's opa tests and decision cases",
    usage: "km policy test <dir>",
    positionals: 1,
    options: [HELP_OPTION],
    details: `Runs \`opa test\` on the directory's .rego, _test.rego and data files with km's
framework, then each decision case (in cases.json or *_cases.json, JSON or JSONC: a list of
{"note", "input", "want"}) on OPA's interpreter and on the policy compiled to WASM. A case
passes when every key of "want" equals that key of the decision on both; lists are compared
in any order.
Exit codes: 0 all passed; 1 a test or a case failed; 2 the policy does not compile or a case
file is malformed.`,
    async run(_values, [dir], io) {
      await requireDirectory(dir, "test");
      return await testPolicy(dir, io);
    },
  },
  {
    name: "policy eval",
    summary: "evaluate a policy for one input document",
    usage: "km policy eval --policy PATH [--input FILE|-] [--data FILE]",
    positionals: 0,
    options: [
      {
        name: "policy",
        kind: "value",
        valueName: "PATH",
        description: "a policy directory, a .rego file, a bundle.tar.gz or a .wasm",
      },
      {
        name: "input",
        kind: "value",
        valueName: "FILE|-",
        description: "the input document, JSON or JSONC (default -: stdin)",
      },
      { name: "data", kind: "value", valueName: "FILE", description: "data for a .wasm policy" },
      HELP_OPTION,
    ],
    details: `Prints the decision (as km monitor would apply it), then the action and the rules
that fired. The input is a policy input document as described in docs/policy.md; a top-level
member that is not one of its members, and that the policy does not read, is named on stderr
(a misspelling, e.g. "tol" for "tool").
Exit codes: 0 evaluated (whatever the action); 1 the evaluation failed; 2 a bad input file or
a policy that does not load.`,
    async run(values, _args, io) {
      const path = values.policy as string | undefined;
      if (!path) {
        throw new KmError("USAGE", "km policy eval needs --policy PATH", `usage: ${this.usage}`);
      }
      const dataPath = values.data as string | undefined;
      if (dataPath && !path.endsWith(".wasm")) {
        throw new KmError("USAGE", `--data is for a .wasm policy; "${path}" carries its own data`);
      }
      const input = await readInput((values.input as string | undefined) ?? "-", io);
      const decision = await inSources(path, async () => {
        const loaded = await io.loadPolicy(path, { dataPath });
        // A misspelled member would otherwise pass in silence: the rules would not see it.
        for (const warning of inputWarnings(input, loaded.inputUse)) io.diagnostics.warn(warning);
        return decide(loaded.policy.evaluate(input), path);
      });
      io.out.write(`${JSON.stringify(decision, null, 2)}\n${summarise(decision)}\n`);
      return 0;
    },
  },
];

/** The `km policy` entry of the command table. */
export const POLICY_COMMAND: CommandInfo = {
  name: "policy",
  summary: "build, test and evaluate Rego policies",
  usage: SUBCOMMANDS.map((s) => s.usage).join("\n  "),
  options: [HELP_OPTION],
  details: `Subcommands:
${SUBCOMMANDS.map((s) => `  ${word(s).padEnd(7)}${s.summary}`).join("\n")}

Run \`km policy <subcommand> --help\` for its options. Writing policies: docs/policy.md.`,
};

/** Runs `km policy <args...>`; returns the exit code. Throws KmError. */
export async function runPolicy(args: readonly string[], io: PolicyIo): Promise<number> {
  const [name, ...rest] = args;
  const names = SUBCOMMANDS.map(word);
  const sub = SUBCOMMANDS.find((s) => s.name === `policy ${name}`);
  if (!sub) {
    const hint = name === undefined ? undefined : suggest(name, names);
    throw new KmError(
      "USAGE",
      name === undefined
        ? `km policy needs a subcommand: ${names.join(", ")}`
        : `unknown policy command "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
      "run `km policy --help` to list them",
    );
  }
  const { values, positionals } = parseMixed(rest, sub.options, sub.name);
  if (values.help) {
    io.out.write(commandHelp(sub));
    return 0;
  }
  if (positionals.length !== sub.positionals) {
    throw new KmError(
      "USAGE",
      positionals.length > sub.positionals
        ? `km ${sub.name}: unexpected argument "${positionals[sub.positionals]}"`
        : `km ${sub.name} needs a policy directory`,
      `usage: ${sub.usage}`,
    );
  }
  return await sub.run(values, positionals, io);
}

/** `build` for `policy build`. */
function word(sub: Subcommand): string {
  return sub.name.replace(/^policy /, "");
}

/** Options may come before or after the positional arguments (`build dir -o out`). */

async function requireDirectory(dir: string, verb: string): Promise<void> {
  const stat = await Deno.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory) {
    throw new KmError(
      "USAGE",
      `Cannot ${verb} policy "${dir}": ${stat ? "not a directory" : "not found"}`,
      `km policy ${verb} takes a directory of .rego files (and .json/.jsonc data)`,
    );
  }
}

async function readInput(path: string, io: PolicyIo): Promise<unknown> {
  const name = path === "-" ? "standard input" : `"${path}"`;
  let text: string;
  try {
    text = path === "-" ? await new Response(io.stdin).text() : await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "not found" : (error as Error).message;
    throw new KmError("USAGE", `Cannot read input ${name}: ${why}`);
  }
  try {
    return parseJsonc(text);
  } catch (error) {
    const e = error as JsoncError;
    throw new KmError(
      "USAGE",
      `Cannot parse input ${name} at line ${e.line}, column ${e.column}: ${e.message}`,
      "--input takes a policy input document in JSON (or JSONC); see docs/policy.md",
    );
  }
}

/** `km policy test`: opa test, then the cases on both engines. Returns the exit code. */
async function testPolicy(dir: string, io: PolicyIo): Promise<number> {
  // A malformed case file stops the run before anything is compiled or run.
  const caseFiles = await readCaseFiles(dir);
  const opaRun = await runOpaTest(dir);
  if (opaRun) io.out.write(`opa test ${dir}\n${opaRun.output.trimEnd()}\n`);
  // Compiled even without cases: opa test does not check km's capabilities, the build does.
  const { policy } = await inSources(dir, () => io.loadPolicy(dir, {}));
  const cases = caseFiles.flatMap((f) => f.cases);
  const interpreted = cases.length > 0
    ? await interpreterDecisions(dir, cases.map((c) => c.input))
    : [];
  let passed = 0;
  let index = 0;
  for (const file of caseFiles) {
    io.out.write(`${opaRun || file !== caseFiles[0] ? "\n" : ""}cases ${file.path}\n`);
    for (const c of file.cases) {
      const run = interpreted[index++];
      const verdict = judgeCase(c.want, {
        WASM: outcome(() => policy.evaluate(c.input), dir),
        opa: "error" in run ? run : outcome(() => run.resultSet, dir),
      });
      if (verdict.ok) passed++;
      io.out.write(`${verdict.ok ? "ok  " : "FAIL"} ${c.note}\n`);
      for (const line of verdict.details) {
        io.out.write(`     ${line.replaceAll("\n", "\n     ")}\n`);
      }
    }
  }
  if (!opaRun && cases.length === 0) {
    io.diagnostics.error(`Nothing to test in "${dir}": no _test.rego file and no cases.json`);
    return 1;
  }
  const failed = cases.length - passed;
  const parts = [];
  if (opaRun) {
    parts.push(
      opaRun.ok || opaRun.passed + opaRun.failed > 0
        ? `opa test ${opaRun.passed} passed, ${opaRun.failed} failed`
        : "opa test did not run (see above)",
    );
  }
  if (cases.length > 0) parts.push(`cases ${passed} passed, ${failed} failed (WASM and opa)`);
  const ok = (opaRun?.ok ?? true) && failed === 0;
  io.out.write(`\n${ok ? "PASS" : "FAIL"}: ${parts.join("; ")}\n`);
  return ok ? 0 : 1;
}

/** The case files under `dir` (cases.json, x_cases.jsonc, ...), parsed, in path order. */
async function readCaseFiles(dir: string, prefix = "") {
  const files: { path: string; cases: DecisionCase[] }[] = [];
  const entries = await Array.fromAsync(Deno.readDir(`${dir}/${prefix}`));
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await readCaseFiles(dir, `${name}/`));
    else if (isCaseFile(entry.name)) {
      const path = `${dir.replace(/\/+$/, "")}/${name}`;
      files.push({ path, cases: parseCases(await Deno.readTextFile(path), path) });
    }
  }
  return files;
}

function outcome(evaluate: () => ResultSet, dir: string): Outcome {
  try {
    return { decision: readDecision(evaluate()) };
  } catch (error) {
    return { error: nameSources(error instanceof Error ? error.message : String(error), dir) };
  }
}

/** Runs `fn`, naming `dir` in its KmError rather than the scratch copy compiled from it. */
async function inSources<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof KmError)) throw error;
    const hint = error.hint && nameSources(error.hint, dir);
    throw new KmError(error.code, nameSources(error.message, dir), hint);
  }
}

function decide(resultSet: ResultSet, path: string): Decision {
  try {
    return readDecision(resultSet);
  } catch (error) {
    if (!(error instanceof MalformedDecision)) throw error;
    throw new KmError(
      "POLICY_EVAL_FAILED",
      `Policy "${path}" gave a malformed decision: ${error.message}`,
      "km fails closed on it: requests are denied",
    );
  }
}

/** `action: deny; rules fired: no-shell, blocked-tool`, plus the transforms' counts. */
export function summarise(decision: Decision): string {
  const reasons = [...decision.deny, ...decision.ask];
  const rules = [...new Set(firedRules(decision))];
  const unnamed = reasons.filter((r) => !r.rule).length;
  if (unnamed > 0) rules.push(`${unnamed} reason${unnamed > 1 ? "s" : ""} without a rule id`);
  const transforms = (["patch", "redact", "hide"] as const)
    .filter((key) => decision[key].length > 0)
    .map((key) => `${decision[key].length} ${key}`);
  return `action: ${decision.action}; rules fired: ${rules.join(", ") || "none"}` +
    (transforms.length > 0 ? `; transforms: ${transforms.join(", ")}` : "");
}
