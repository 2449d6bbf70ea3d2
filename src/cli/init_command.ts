/**
 * `km init [dir]`: a project's first km files, a commented km.jsonc and a starter policy with
 * its tests and decision cases (init_templates.ts), then the next steps. It never replaces a
 * file unless told to (--force), and names the ones in the way.
 */
import { KmError } from "../errors.ts";
import type { TextWriter } from "../diagnostics.ts";
import { terminalSafe } from "../diagnostics.ts";
import { HELP_OPTION } from "./common_options.ts";
import { commandHelp, type CommandInfo } from "./help.ts";
import { TEMPLATES } from "./init_templates.ts";
import { parseMixed } from "./mixed_options.ts";

export const INIT_COMMAND: CommandInfo = {
  name: "init",
  summary: "write a commented km.jsonc and a starter policy with its tests",
  usage: "km init [dir] [--force]",
  options: [
    { name: "force", kind: "boolean", description: "replace files that are already there" },
    HELP_OPTION,
  ],
  details: `Writes, in DIR (default: the current folder):
  km.jsonc                    km's settings for the project, every line commented
  policies/policy.rego        a starter policy: a deny-list of tools, hidden from listings too
  policies/policy_test.rego   its tests (opa test)
  policies/data.jsonc         the deny-list
  policies/cases.json         decision cases, checked on OPA and on km's WebAssembly
Then \`km policy test policies\` runs the tests. Existing files are left alone, and named,
unless --force.`,
};

export interface InitIo {
  readonly out: TextWriter;
  readonly cwd: string;
  /** Whether something is at the path (default: Deno's lstat). */
  readonly exists?: (path: string) => boolean;
  /** Writes a file, creating its folders (default: Deno). */
  readonly writeFile?: (path: string, text: string) => void;
}

/**
 * Runs `km init <args...>` (`before`: the options cli.ts read before them); returns the exit
 * code. Throws KmError.
 */
export function runInit(
  args: readonly string[],
  io: InitIo,
  before: Readonly<Record<string, string | boolean | string[]>> = {},
): number {
  const parsed = parseMixed(args, INIT_COMMAND.options, "init");
  const values = { ...before, ...parsed.values };
  const { positionals } = parsed;
  if (values.help) {
    io.out.write(commandHelp(INIT_COMMAND));
    return 0;
  }
  if (positionals.length > 1) {
    throw new KmError("USAGE", `km init takes one folder, got "${positionals.join(" ")}"`);
  }
  const given = positionals[0] ?? ".";
  const relative = given.replace(/^(\.[\\/])+/, "").replace(/^\.$/, "");
  const dir = /^([a-zA-Z]:)?[\\/]/.test(given)
    ? given
    : relative === ""
    ? io.cwd
    : `${io.cwd}/${relative}`;
  const exists = io.exists ?? existsOnDisk;
  const write = io.writeFile ?? writeOnDisk;
  const paths = TEMPLATES.map((t) => ({ ...t, at: `${dir.replace(/[\\/]+$/, "")}/${t.path}` }));
  const taken = paths.filter((t) => exists(t.at));
  if (taken.length > 0 && values.force !== true) {
    throw new KmError(
      "USAGE",
      `km init would replace ${taken.length === 1 ? "a file" : `${taken.length} files`} ` +
        `already there: ${taken.map((t) => t.at).join(", ")}`,
      "pass --force to replace them, or give another folder: km init DIR",
    );
  }
  for (const file of paths) {
    try {
      write(file.at, file.text);
    } catch (error) {
      throw new KmError("USAGE", `Cannot write "${file.at}": ${(error as Error).message}`);
    }
  }
  io.out.write(terminalSafe(nextSteps(given, taken.length)) + "\n");
  return 0;
}

/** What was written and what to do next. Pure. */
export function nextSteps(dir: string, replaced: number): string {
  const at = (path: string) => (dir === "." ? path : `${dir.replace(/[\\/]+$/, "")}/${path}`);
  const lines = [
    `wrote ${TEMPLATES.map((t) => at(t.path)).join(", ")}` +
    (replaced > 0 ? ` (${replaced} replaced)` : ""),
    "",
    "Next steps:",
    `  1. km policy test ${at("policies")}      run the policy's tests and decision cases`,
    `  2. edit ${at("policies/data.jsonc")}     the tools to block; policy.rego for more rules`,
    `  3. km config trust ${at("km.jsonc")}       once you have read it: until then km applies`,
    "     only the settings of a project file that tighten yours",
    `  4. in your MCP client, start the server through km, in ${
      dir === "." ? "this folder" : dir
    }:`,
    "       km monitor -- <server command...>",
    "  5. km logs --follow                  watch what crosses it (km ui: the dashboard)",
  ];
  return lines.join("\n");
}

function existsOnDisk(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function writeOnDisk(path: string, text: string): void {
  Deno.mkdirSync(path.replace(/\/[^/]*$/, ""), { recursive: true });
  Deno.writeTextFileSync(path, text);
}
