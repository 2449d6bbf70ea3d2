/**
 * Reading configuration layers: command-line values, KM_* variables, the project's km.jsonc
 * and the user's config.jsonc. The environment and file reads are injected.
 */
import { KmError } from "../errors.ts";
import { type Config, type Layer, resolveConfig, suggest } from "./config.ts";
import { parseJsoncAs } from "./jsonc.ts";
import { CONFIG_SPEC, ENV_KEYS, ENV_OTHER, type Spec } from "./schema.ts";

export interface LoadOptions {
  readonly cwd: string;
  readonly os: string;
  readonly env: Readonly<Record<string, string>>;
  /** Values from command-line flags, shaped like the config file. */
  readonly flags: Record<string, unknown>;
  /** `--config FILE`: replaces the project km.jsonc. */
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
  readonly layers: readonly Layer[];
  readonly files: readonly ConfigFile[];
  readonly warnings: readonly string[];
}

/** Loads, validates and merges every layer. Throws CONFIG_INVALID naming file and key. */
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
  const user = userConfigPath(options.env, options.os);
  for (const [path, role] of [[project, "project"], [user, "user"]] as const) {
    if (!path) continue;
    const text = options.readFile(path);
    files.push({ path, role, found: text !== undefined });
    if (text === undefined) {
      if (role === "project" && explicit) {
        throw new KmError("CONFIG_INVALID", `Cannot read config file "${path}": file not found`);
      }
      continue;
    }
    layers.push({ source: path, values: parseConfigFile(path, text) });
  }
  return { config: resolveConfig(layers), layers, files, warnings };
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
