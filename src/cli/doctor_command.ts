/**
 * `km doctor`: one report a user (or a bug report) can read: km and its Deno, the policy
 * compiler, the configuration in effect, the folders km writes to, the dashboard and each MCP
 * client's servers, every line OK, WARN or FAIL with a fix. The facts are gathered at the edge
 * (doctor/gather.ts) and judged by a pure core (doctor/report.ts); this file joins the two and
 * prints the result on stdout, as text or `--json`. Exit 0 when nothing FAILs, 1 otherwise.
 */
import type { TextWriter } from "../diagnostics.ts";
import type { Discovery } from "../discovery.ts";
import { KmError } from "../errors.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION, LOG_DIR_OPTION } from "./common_options.ts";
import { gatherFacts } from "./doctor/gather.ts";
import { doctorReport, exitCode, reportJson, reportText } from "./doctor/report.ts";
import type { CommandInfo } from "./help.ts";
import { folderFlagsLayer } from "./logs_command.ts";

export const DOCTOR_COMMAND: CommandInfo = {
  name: "doctor",
  summary: "check km's setup: compiler, config, folders, dashboard, MCP clients",
  usage: "km doctor [--json] [--config FILE] [--data-dir DIR] [--log-dir DIR]",
  options: [
    { name: "json", kind: "boolean", description: "print the checks and their facts as JSON" },
    CONFIG_OPTION,
    DATA_DIR_OPTION,
    LOG_DIR_OPTION,
    HELP_OPTION,
  ],
  details: `One line per check, OK, WARN or FAIL, with a fix below it where there is one:
km's version and the Deno it runs on; the policy compiler (km's OPA built to WebAssembly, or
the opa KM_POLICY_COMPILER names); the configuration's layers, whether ./km.jsonc is trusted
and what loading it warns about; the data and log folders (writable: km creates and removes an
empty file in each; their size and session files); the dashboard; each MCP client's config
files and whether their servers run behind km (as km wrap --status says).
It changes nothing. Exit codes: 0 nothing failed (warnings allowed); 1 something failed.`,
};

export interface DoctorIo {
  readonly out: TextWriter;
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly cwd: string;
  readonly readFile: (path: string) => string | undefined;
  readonly findDashboard: (dataDir: string) => Discovery | undefined;
  readonly getJson: (url: string, token: string) => Promise<unknown>;
}

/** Runs `km doctor` with the options cli.ts parsed; returns the exit code. */
export async function runDoctor(
  values: Readonly<Record<string, string | boolean | string[]>>,
  rest: readonly string[],
  io: DoctorIo,
): Promise<number> {
  if (rest.length > 0) {
    throw new KmError("USAGE", `km doctor takes options only, got "${rest.join(" ")}"`);
  }
  const facts = await gatherFacts({
    ...io,
    flags: folderFlagsLayer(values),
    configPath: values.config as string | undefined,
  });
  const lines = doctorReport(facts);
  io.out.write(values.json ? reportJson(lines, facts) : reportText(lines));
  return exitCode(lines);
}
