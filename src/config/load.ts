/**
 * Reading configuration layers: command-line values, KM_* variables, the project's km.jsonc
 * (trusted or not, see trust.ts) and the user's config.jsonc. The environment and file reads
 * are injected.
 */
import { defaultDataDir } from "../audit/paths.ts";
import { KmError } from "../errors.ts";
import { type Config, type ConfigFileUse, type Layer, resolveConfig } from "./config.ts";
import { suggest } from "../suggest.ts";
import { parseJsoncAs } from "../jsonc.ts";
import { CONFIG_SPEC, ENV_KEYS, ENV_OTHER, type Spec } from "./schema.ts";
import {
  contentHash,
  isTrusted,
  parseTrustStore,
  type TrustStore,
  trustStorePath,
} from "./trust.ts";
import type { IgnoredSetting } from "./workspace.ts";

export interface LoadOptions {
  readonly cwd: string;
  readonly os: string;
  readonly env: Readonly<Record<string, string>>;
  /** Values from command-line flags, shaped like the config file. */
  readonly flags: Record<string, unknown>;
  /** `--config FILE`: replaces the project km.jsonc, and is trusted (the user named it). */
  readonly configPath?: string;
  /** Returns the file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
}

/** A config file that was looked for, and whether it was there. */
export interface ConfigFile {
  readonly path: string;
  readonly role: "project" | "user";
  readonly found: boolean;
}

export interface Loaded {
  readonly config: Config;
  /** The layers applied, highest precedence first (an untrusted file's source says so). */
  readonly layers: readonly Layer[];
  readonly files: readonly ConfigFile[];
  readonly warnings: readonly string[];
  /** Where the user's trust in project files is recorded (undefined: no data folder). */
  readonly trustStore?: string;
}

/**
 * Loads, validates and merges every layer. Throws CONFIG_INVALID naming file and key. The
 * project km.jsonc is trusted when named by --config or KM_CONFIG, or when the user trusted its
 * exact content; otherwise its weakening settings are left out with a warning (workspace.ts).
 */
export function loadConfig(options: LoadOptions): Loaded {
  const files: ConfigFile[] = [];
  const layers: Layer[] = [];
  const warnings: string[] = [];
  if (Object.keys(options.flags).length > 0) {
    layers.push({ source: "command line", values: options.flags });
  }
  const fromEnv = envLayer(options.env, warnings);
  if (fromEnv) layers.push(fromEnv);
  const explicit = options.configPath ?? options.env.KM_CONFIG;
  const project = explicit ?? joinPath(options.cwd, "km.jsonc", options.os);
  const userPath = userConfigPath(options.env, options.os);
  const read = (path: string | undefined, role: "project" | "user") => {
    if (!path) return undefined;
    const text = options.readFile(path);
    files.push({ path, role, found: text !== undefined });
    if (text === undefined) {
      if (role === "project" && explicit) {
        throw new KmError("CONFIG_INVALID", `Cannot read config file "${path}": file not found`);
      }
      return undefined;
    }
    return { path, text, values: parseConfigFile(path, text) };
  };
  const projectFile = read(project, "project");
  const userFile = read(userPath, "user");
  const trustStore = trustStoreIn(options.env, options.os, [
    options.flags.dataDir,
    fromEnv?.values.dataDir,
    userFile?.values.dataDir,
  ]);
  const uses: ConfigFileUse[] = [];
  if (projectFile) {
    const trust = explicit
      ? "explicit"
      : trustStore && isTrusted(readTrust(trustStore, options, warnings), project, projectFile.text)
      ? "trusted"
      : "untrusted";
    const sha256 = contentHash(projectFile.text);
    uses.push({ path: project, role: "project", trust, sha256 });
    layers.push({ source: project, values: projectFile.values, untrusted: trust === "untrusted" });
  }
  if (userFile) {
    uses.push({ path: userFile.path, role: "user", trust: "user" });
    layers.push({ source: userFile.path, values: userFile.values });
  }
  const config = resolveConfig(layers, uses);
  const ignored = config.origin?.ignored ?? [];
  if (ignored.length > 0) warnings.push(ignoredWarning(project, ignored));
  const shown = layers.map((layer) =>
    layer.untrusted && ignored.length > 0
      ? {
        ...layer,
        source: `${layer.source} (not trusted: ${ignored.length} ignored, see "origin")`,
      }
      : layer
  );
  return { config, layers: shown, files, warnings, trustStore };
}

/** One warning for a project file's ignored settings: each key, why, and how to apply them. */
export function ignoredWarning(file: string, ignored: readonly IgnoredSetting[]): string {
  return `ignoring settings in ${file}, a project file you have not trusted (it may only ` +
    `tighten your settings): ${ignored.map((i) => `"${i.key}" ${i.reason}`).join("; ")}. ` +
    `To apply them, trust the file as it is now: km config trust ${file} ` +
    `(or pass --config ${file}, or move them to your own config file)`;
}

/**
 * The record of trusted project files, in km's data folder as the user's own settings name it
 * (`candidates`: --data-dir, KM_DATA_DIR, their config file's dataDir, the first one set) or the
 * platform places it: never where a project file says.
 */
export function trustStoreIn(
  env: Readonly<Record<string, string>>,
  os: string,
  candidates: readonly unknown[],
): string | undefined {
  const chosen = candidates.find((d) => typeof d === "string" && d !== "") as string | undefined;
  const dataDir = chosen ?? defaultDataDir((name) => env[name], os);
  return dataDir === undefined ? undefined : trustStorePath(dataDir, os);
}

function readTrust(path: string, options: LoadOptions, warnings: string[]): TrustStore {
  const { store, problem } = parseTrustStore(options.readFile(path), path);
  if (problem) warnings.push(problem);
  return store;
}

/** `$XDG_CONFIG_HOME/km/config.jsonc`, `~/.config/km/config.jsonc`, `%APPDATA%\km\config.jsonc`. */
export function userConfigPath(
  env: Readonly<Record<string, string>>,
  os: string,
): string | undefined {
  if (os === "windows") return env.APPDATA ? `${env.APPDATA}\\km\\config.jsonc` : undefined;
  if (env.XDG_CONFIG_HOME?.startsWith("/")) return `${env.XDG_CONFIG_HOME}/km/config.jsonc`;
  return env.HOME ? `${env.HOME}/.config/km/config.jsonc` : undefined;
}

/** Parses a JSONC config file; errors name the file, line and column. */
export function parseConfigFile(path: string, text: string): Record<string, unknown> {
  const value = parseJsoncAs(text, `config file "${path}"`, "CONFIG_INVALID");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KmError(
      "CONFIG_INVALID",
      `Config file "${path}" must hold a JSON object at the top level`,
    );
  }
  return value as Record<string, unknown>;
}

function envLayer(env: Readonly<Record<string, string>>, warnings: string[]): Layer | undefined {
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith("KM_") || ENV_OTHER.has(name)) continue;
    const key = ENV_KEYS[name];
    if (!key) {
      const hint = suggest(name, Object.keys(ENV_KEYS));
      warnings.push(
        `ignoring unknown environment variable ${name}${hint ? ` (did you mean ${hint}?)` : ""}`,
      );
      continue;
    }
    setPath(values, key, fromText(text, specAt(key)));
  }
  return Object.keys(values).length > 0 ? { source: "environment (KM_*)", values } : undefined;
}

/** Converts an environment string to the key's type; leaves it as text when it does not fit. */
function fromText(text: string, spec: Spec): unknown {
  if (spec.type === "boolean") {
    if (/^(1|true|yes|on)$/i.test(text)) return true;
    if (/^(0|false|no|off)$/i.test(text)) return false;
  }
  if (spec.type === "integer" && /^-?\d+$/.test(text)) return Number(text);
  // Lists: comma-separated ("dashboard,client"); an empty value is an empty list.
  if (spec.type === "list") return text.split(",").map((item) => item.trim()).filter(Boolean);
  return text;
}

function specAt(path: string): Spec {
  let spec: Spec = CONFIG_SPEC;
  for (const part of path.split(".")) {
    if (spec.type !== "object") break;
    spec = spec.keys[part];
  }
  return spec;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

function joinPath(dir: string, name: string, os: string): string {
  const sep = os === "windows" ? "\\" : "/";
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}
