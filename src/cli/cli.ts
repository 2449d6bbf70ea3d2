/**
 * The command-line entry: a table of commands, help and version, and error reporting.
 * `run` returns the exit code; only main.ts exits.
 */
import { suggest } from "../suggest.ts";
import { CONFIG_COMMAND, runConfigCommand } from "./config_command.ts";
import { loadConfig, type Loaded } from "../config/load.ts";
import type { Config } from "../config/config.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { type MonitorDeps, runMonitor } from "../monitor/monitor.ts";
import { type CommandContext, normaliseServerCommand } from "../monitor/server_command.ts";
import { DENO_PIN, VERSION } from "../version.ts";
import { commandHelp, type CommandInfo, mainHelp } from "./help.ts";
import { flagsLayer, MONITOR_OPTIONS } from "./monitor_command.ts";
import { parseOptions } from "./options.ts";
import { POLICY_COMMAND, runPolicy } from "./policy_command.ts";
import { runUiCommand, UI_DETAILS, UI_OPTIONS, UI_USAGE, uiFlagsLayer } from "./ui_command.ts";
import { CLEAR_LOGS_COMMAND, clearRequest, runClearLogs } from "./clear_logs_command.ts";
import { INIT_COMMAND, runInit } from "./init_command.ts";
import { folderFlagsLayer, logFolder, LOGS_COMMAND, logsQuery, runLogs } from "./logs_command.ts";
import { runWrap, UNWRAP_COMMAND, WRAP_COMMAND } from "./wrap_command.ts";
import { DOCTOR_COMMAND, runDoctor } from "./doctor_command.ts";
import { getDashboardJson } from "./ui_control.ts";
import { parsePinsArgs, pinFolder, PINS_COMMAND, runPins } from "./pins_command.ts";

/** Everything the CLI touches, passed in (see system.ts for the real one). */
export interface CliIo extends MonitorDeps {
  /** Text output of commands other than monitor (help, version, config show). */
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly readFile: (path: string) => string | undefined;
  readonly commandContext: CommandContext;
}

interface Command extends CommandInfo {
  run(parsed: ReturnType<typeof parseOptions>, io: CliIo): Promise<number>;
}

const COMMANDS: readonly Command[] = [
  {
    name: "monitor",
    summary: "run an MCP server behind km: relay, audit log",
    usage: "km monitor [options] -- <server command...>",
    options: MONITOR_OPTIONS,
    details:
      `The server command may also come without \`--\` (options end at the first word that is not
an option) or as one quoted string. km writes nothing but the relayed protocol to stdout;
its own messages go to stderr.

Settings come from flags, then KM_* environment variables, then ./km.jsonc, then
~/.config/km/config.jsonc. \`km config show\` prints the result.`,
    async run(parsed, io) {
      const loaded = load(
        io,
        flagsLayer(parsed.values),
        parsed.values.config as string | undefined,
      );
      const command = normaliseServerCommand(parsed.rest, io.commandContext);
      return await runMonitor(loaded.config, command, io);
    },
  },
  { ...POLICY_COMMAND, run: (parsed, io) => runPolicy(parsed.rest, io) },
  {
    name: "ui",
    summary: "serve the dashboard: live and past sessions, decisions, statistics",
    usage: UI_USAGE,
    options: UI_OPTIONS,
    details: UI_DETAILS,
    run: (parsed, io) =>
      runUiCommand(
        parsed.rest,
        parsed.values,
        (values) => load(io, uiFlagsLayer(values), values.config as string | undefined).config,
        io,
      ),
  },
  {
    ...CONFIG_COMMAND,
    run: (parsed, io) => Promise.resolve(runConfigCommand(parsed.rest, parsed.values, io)),
  },
  {
    ...LOGS_COMMAND,
    run(parsed, io) {
      noArguments("logs", parsed.rest);
      const query = logsQuery(parsed.values, Date.now());
      const config = folderConfig(io, parsed.values);
      return runLogs(logFolder(config, io.env, io.os), query, io);
    },
  },
  {
    ...CLEAR_LOGS_COMMAND,
    run(parsed, io) {
      noArguments("clear-logs", parsed.rest);
      const request = clearRequest(parsed.values);
      const config = folderConfig(io, parsed.values);
      return runClearLogs(logFolder(config, io.env, io.os), request, io);
    },
  },
  {
    ...INIT_COMMAND,
    run: (parsed, io) => Promise.resolve(runInit(parsed.rest, io, parsed.values)),
  },
  { ...WRAP_COMMAND, run: (parsed, io) => runWrap("wrap", parsed.values, parsed.rest, io) },
  { ...UNWRAP_COMMAND, run: (parsed, io) => runWrap("unwrap", parsed.values, parsed.rest, io) },
  {
    ...DOCTOR_COMMAND,
    run: (parsed, io) =>
      runDoctor(parsed.values, parsed.rest, { ...io, getJson: getDashboardJson }),
  },
  {
    ...PINS_COMMAND,
    run(parsed, io) {
      const { values, words } = parsePinsArgs(parsed.rest, parsed.values);
      const config = folderConfig(io, values);
      return runPins(pinFolder(config, io.env, io.os), words, values, io);
    },
  },
];

function noArguments(command: string, rest: readonly string[]): void {
  if (rest.length > 0) {
    throw new KmError("USAGE", `km ${command} takes options only, got "${rest.join(" ")}"`);
  }
}

/** The configuration of a command that takes --log-dir, --data-dir and --config. */
function folderConfig(io: CliIo, values: Readonly<Record<string, unknown>>): Config {
  return load(io, folderFlagsLayer(values), values.config as string | undefined).config;
}

function load(io: CliIo, flags: Record<string, unknown>, configPath: string | undefined): Loaded {
  const loaded = loadConfig({
    cwd: io.cwd,
    os: io.os,
    env: io.env,
    flags,
    configPath,
    readFile: io.readFile,
  });
  for (const warning of loaded.warnings) io.diagnostics.warn(warning);
  return loaded;
}

/** Runs km with `args` and returns the exit code. Never throws. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [first, ...rest] = args;
    if (first === undefined || first === "-h" || first === "--help" || first === "help") {
      const topic = first === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      io.out.write(topic ? commandHelp(topic) : mainHelp(COMMANDS));
      return first === undefined ? 2 : 0;
    }
    if (first === "-V" || first === "--version") {
      io.out.write(`km ${VERSION} (deno ${Deno.version.deno}, built for deno ${DENO_PIN})\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      const hint = suggest(first, COMMANDS.map((c) => c.name));
      throw new KmError(
        "USAGE",
        `unknown command "${first}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
        "run `km --help` to list the commands",
      );
    }
    const parsed = parseOptions(rest, command.options, command.name);
    if (parsed.values.help) {
      io.out.write(commandHelp(command));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof KmError) {
      io.diagnostics.error(error.message, error.hint);
      return error.exitCode;
    }
    io.diagnostics.error(
      `internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`,
    );
    return 1;
  }
}
