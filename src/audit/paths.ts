/**
 * Where audit logs live and how session files are named. Pure: environment and OS passed in.
 */

export type Os = "linux" | "darwin" | "windows" | string;

/**
 * km's data directory: `$XDG_DATA_HOME/km` or `~/.local/share/km` (Linux, macOS),
 * `%APPDATA%\km` (Windows). Undefined when the environment names no home.
 */
export function defaultDataDir(
  env: (name: string) => string | undefined,
  os: Os,
): string | undefined {
  if (os === "windows") {
    const appData = env("APPDATA");
    return appData ? `${appData}\\km` : undefined;
  }
  const xdg = env("XDG_DATA_HOME");
  if (xdg && xdg.startsWith("/")) return `${xdg}/km`;
  const home = env("HOME");
  return home ? `${home}/.local/share/km` : undefined;
}

/** The session logs folder inside a data directory. */
export function logDirIn(dataDir: string, os: Os): string {
  return `${dataDir}${os === "windows" ? "\\" : "/"}logs`;
}

/**
 * A session file name that sorts by time and shows the server:
 * `2026-11-22T20-01-02Z_server-everything_1a2b3c4d.jsonl`.
 */
export function sessionFileName(startedAt: number, serverName: string, sessionId: string): string {
  const stamp = new Date(startedAt).toISOString().slice(0, 19).replaceAll(":", "-") + "Z";
  const id = sessionId.replace(/[^A-Za-z0-9]/g, "").slice(0, 8) || "session";
  return `${stamp}_${safeName(serverName)}_${id}.jsonl`;
}

/** Programs that launch the real server; the name is taken from what they run. */
const LAUNCHERS = new Set([
  "npx",
  "npm",
  "pnpm",
  "pnpx",
  "yarn",
  "bunx",
  "bun",
  "node",
  "deno",
  "tsx",
  "ts-node",
  "uv",
  "uvx",
  "pipx",
  "python",
  "python3",
  "py",
  "env",
  "docker",
  "podman",
  "sh",
  "bash",
  "cmd",
  "exec",
  "run",
  "dlx",
  "tool",
]);

/** Generic file names that say less than the folder they are in. */
const GENERIC = new Set([
  "index",
  "main",
  "server",
  "cli",
  "dist",
  "build",
  "src",
  "bin",
  "lib",
  "app",
]);

/**
 * A short human name for a server command: `npx -y @modelcontextprotocol/server-everything`
 * gives `server-everything`, `node /x/server-filesystem/dist/index.js` gives `server-filesystem`.
 */
export function serverNameOf(command: readonly string[]): string {
  for (const arg of command) {
    if (arg.startsWith("-") || arg.includes("=")) continue;
    const name = meaningfulName(arg);
    if (!name || LAUNCHERS.has(name.toLowerCase())) continue;
    return safeName(name);
  }
  return safeName(meaningfulName(command[0] ?? "") || "server");
}

function meaningfulName(arg: string): string {
  const parts = arg.replace(/@[\w.^~<>=-]+$/, "").split(/[\\/]/).filter(Boolean);
  while (parts.length > 1) {
    const last = stripExtension(parts[parts.length - 1]);
    if (!GENERIC.has(last.toLowerCase())) break;
    parts.pop();
  }
  return stripExtension(parts[parts.length - 1] ?? "");
}

function stripExtension(name: string): string {
  return name.replace(/\.(m?[jt]s|cjs|py|exe|cmd|bat|sh)$/i, "");
}

function safeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48) ||
    "server";
}

/** The folder a file path is in ("." for a bare name). */
export function parentDir(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0) return ".";
  return cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

/** The folder of session logs: `logDir`, else `<dataDir>/logs` (default data dir). */
export function logDirOf(
  where: { readonly logDir?: string; readonly dataDir?: string },
  env: (name: string) => string | undefined,
  os: Os,
): string | undefined {
  if (where.logDir !== undefined) return where.logDir;
  const dataDir = where.dataDir ?? defaultDataDir(env, os);
  return dataDir === undefined ? undefined : logDirIn(dataDir, os);
}

/** Where this session's records go: `logFile`, else a new file in `logDir` or `<dataDir>/logs`. */
export function sessionLogPath(
  where: { readonly logFile?: string; readonly logDir?: string; readonly dataDir?: string },
  env: (name: string) => string | undefined,
  os: Os,
  file: { readonly startedAt: number; readonly serverName: string; readonly sessionId: string },
): string | undefined {
  if (where.logFile) return where.logFile;
  const dir = logDirOf(where, env, os);
  if (dir === undefined) return undefined;
  const sep = os === "windows" ? "\\" : "/";
  return `${dir.replace(/[\\/]+$/, "")}${sep}${
    sessionFileName(file.startedAt, file.serverName, file.sessionId)
  }`;
}
