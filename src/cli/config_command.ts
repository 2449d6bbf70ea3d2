/**
 * `km config show|trust|untrust`: the effective configuration and where it came from, and the
 * user's record of the project km.jsonc files they trust (trust.ts). Writing the record is the
 * only file this command writes.
 */
import { defaultDataDir, logDirOf } from "../audit/paths.ts";
import { commandHelp, type CommandInfo } from "./help.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION } from "./common_options.ts";
import { parseMixed } from "./mixed_options.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { CONFIG_SPEC } from "../config/schema.ts";
import { resolveConfig, validate } from "../config/config.ts";
import {
  loadConfig,
  type Loaded,
  parseConfigFile,
  trustStoreIn,
  userConfigPath,
} from "../config/load.ts";
import { contentHash, parseTrustStore, withoutTrust, withTrust } from "../config/trust.ts";

export interface ConfigIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly cwd: string;
  /** Returns the file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
  /** Replaces the file (default: a private file written atomically). */
  readonly writeFile?: (path: string, text: string) => void;
  /** The path with links resolved, as the working folder km is started in is (default: Deno). */
  readonly realPath?: (path: string) => string;
  readonly now?: () => Date;
}

export const CONFIG_USAGE = "km config show [--config FILE]\n  km config trust|untrust [FILE]";

export const CONFIG_COMMAND: CommandInfo = {
  name: "config",
  summary: "show the effective configuration; trust a project's km.jsonc",
  usage: CONFIG_USAGE,
  options: [CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION],
  details: `Subcommands:
  show      the merged settings, the files they came from, and the settings of an untrusted
            project file that were ignored (under "origin")
  trust     trust FILE (default ./km.jsonc) as it reads now: all its settings apply, until it
            changes. Without trust, a project file may only tighten your settings
  untrust   forget that FILE was trusted

Trust is recorded in km's data folder (--data-dir, KM_DATA_DIR, your config file's dataDir,
else ~/.local/share/km) as the file's path and sha256. See docs/configuration.md.`,
};

/** Runs `km config <rest...>`; returns the exit code. Throws KmError. */
export function runConfigCommand(
  rest: readonly string[],
  before: Readonly<Record<string, string | boolean | string[]>>,
  io: ConfigIo,
): number {
  // Options may also follow the subcommand, as the usage shows (`km config show --config F`).
  const [sub, ...after] = rest;
  const { values: later, positionals: args } = parseMixed(after, CONFIG_COMMAND.options, "config");
  const values = { ...before, ...later };
  if (values.help) {
    io.out.write(commandHelp(CONFIG_COMMAND));
    return 0;
  }
  const dataDir = values["data-dir"] as string | undefined;
  if (sub === "show" && args.length === 0) {
    const loaded = loadConfig({
      cwd: io.cwd,
      os: io.os,
      env: io.env,
      flags: dataDir ? { dataDir } : {},
      configPath: values.config as string | undefined,
      readFile: io.readFile,
    });
    for (const warning of loaded.warnings) io.diagnostics.warn(warning);
    io.out.write(showConfig(loaded, (name) => io.env[name], io.os));
    return 0;
  }
  if ((sub === "trust" || sub === "untrust") && args.length <= 1) {
    const file = absolute(args[0] ?? "km.jsonc", io);
    const store = trustStoreFor(io, dataDir);
    if (!store) {
      throw new KmError(
        "CONFIG_INVALID",
        "Cannot record trust: km has no data folder (neither HOME nor XDG_DATA_HOME is set)",
        "pass --data-dir DIR or set KM_DATA_DIR",
      );
    }
    return sub === "trust" ? trust(file, store, io) : untrust(file, store, io);
  }
  throw new KmError(
    "USAGE",
    `unknown config command "${[sub, ...args].join(" ")}"`,
    `usage: ${CONFIG_USAGE}`,
  );
}

function trust(file: string, store: string, io: ConfigIo): number {
  const text = io.readFile(file);
  if (text === undefined) {
    throw new KmError("CONFIG_INVALID", `Cannot trust config file "${file}": file not found`);
  }
  const values = parseConfigFile(file, text);
  const problems = validate(values, CONFIG_SPEC, "", file);
  if (problems.length > 0) {
    throw new KmError(
      "CONFIG_INVALID",
      `Cannot trust config file "${file}": ${problems.join("; ")}`,
      "fix the file first: km uses no file it cannot read",
    );
  }
  // What trusting it changes: the settings that would be ignored, over the user's own.
  const user = userConfigPath(io.env, io.os);
  const userText = user ? io.readFile(user) : undefined;
  const layers = [{ source: file, values, untrusted: true }];
  if (user && userText !== undefined) {
    layers.push({ source: user, values: parseConfigFile(user, userText), untrusted: false });
  }
  const ignored = resolveConfig(layers, []).origin?.ignored ?? [];
  const { store: current, problem } = parseTrustStore(io.readFile(store), store);
  if (problem) io.diagnostics.warn(problem);
  write(io, store, withTrust(current, file, text, (io.now ?? (() => new Date()))()));
  io.out.write(
    `trusted ${file} (sha256 ${contentHash(text).slice(0, 16)}…) as it reads now; ` +
      "if it changes, it is untrusted again\n",
  );
  if (ignored.length > 0) {
    io.out.write(
      `now applied from it:\n${ignored.map((i) => `  ${i.key}: ${i.reason}\n`).join("")}`,
    );
  }
  return 0;
}

function untrust(file: string, store: string, io: ConfigIo): number {
  const { store: current, problem } = parseTrustStore(io.readFile(store), store);
  if (problem) io.diagnostics.warn(problem);
  if (!current.files[file]) {
    io.out.write(`${file} was not trusted\n`);
    return 0;
  }
  write(io, store, withoutTrust(current, file));
  io.out.write(`${file} is no longer trusted\n`);
  return 0;
}

/**
 * JSONC: the sources as comments, highest precedence first, then the merged settings, with
 * the data and log folders resolved (where km writes when the settings name none).
 */
export function showConfig(
  loaded: Loaded,
  env: (name: string) => string | undefined,
  os: string,
): string {
  const lines = ["// Effective km configuration. Sources, highest precedence first:"];
  for (const layer of loaded.layers) lines.push(`//   ${layer.source}`);
  for (const file of loaded.files.filter((f) => !f.found)) {
    lines.push(`//   ${file.path} (${file.role}; not found)`);
  }
  lines.push("//   built-in defaults");
  const { config } = loaded;
  const dataDir = config.dataDir ?? defaultDataDir(env, os);
  const logDir = logDirOf(config, env, os);
  if (dataDir === undefined || logDir === undefined) {
    lines.push("// no data or log folder: neither HOME nor XDG_DATA_HOME is set");
  }
  const shown = {
    dataDir,
    logDir,
    ...config,
    ...(dataDir && { dataDir }),
    ...(logDir && { logDir }),
  };
  return `${lines.join("\n")}\n${JSON.stringify(shown, null, 2)}\n`;
}

/** The record of trusted files: in the data folder the user's own settings name. */
export function trustStoreFor(
  io: Pick<ConfigIo, "env" | "os" | "readFile">,
  dataDir?: string,
): string | undefined {
  const user = userConfigPath(io.env, io.os);
  const userText = user ? io.readFile(user) : undefined;
  const fromUser = user && userText !== undefined
    ? parseConfigFile(user, userText).dataDir
    : undefined;
  return trustStoreIn(io.env, io.os, [dataDir, io.env.KM_DATA_DIR, fromUser]);
}

/**
 * `path` from the working folder, as loadConfig names ./km.jsonc: its folder with links
 * resolved (the working folder km starts in is), the file name as given.
 */
function absolute(path: string, io: ConfigIo): string {
  const sep = io.os === "windows" ? "\\" : "/";
  const joined = /^([a-zA-Z]:)?[\\/]/.test(path) ? path : `${io.cwd}${sep}${path}`;
  const cut = Math.max(joined.lastIndexOf("/"), joined.lastIndexOf("\\"));
  const [dir, name] = [joined.slice(0, cut) || sep, joined.slice(cut + 1)];
  try {
    const real = (io.realPath ?? Deno.realPathSync)(dir);
    return `${real.endsWith(sep) ? real : real + sep}${name}`;
  } catch {
    return joined; // Not there: reading it says so.
  }
}

function write(io: ConfigIo, path: string, store: unknown): void {
  const text = `${JSON.stringify(store, null, 2)}\n`;
  try {
    (io.writeFile ?? writePrivate)(path, text);
  } catch (error) {
    throw new KmError(
      "CONFIG_INVALID",
      `Cannot write the record of trusted config files "${path}": ${(error as Error).message}`,
    );
  }
}

/** Writes `text` to `path` readable by the user only, replacing it in one step. */
function writePrivate(path: string, text: string): void {
  const dir = path.replace(/[\\/][^\\/]*$/, "");
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(temp, text, { mode: 0o600 });
  Deno.renameSync(temp, path);
}
