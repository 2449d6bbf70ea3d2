/**
 * The MCP clients km wrap knows: where each keeps its servers on Linux, macOS and Windows (user
 * and project files), in which format, and under which keys. Pure: paths are computed from the
 * environment, the OS and the working folder given; nothing is read here. docs/clients.md says
 * the same for people.
 */
import type { ServerMaps } from "./json_config.ts";

export type ClientId =
  | "claude-desktop"
  | "claude-code"
  | "cursor"
  | "vscode"
  | "windsurf"
  | "codex"
  | "gemini";

export interface Client {
  readonly id: ClientId;
  readonly title: string;
  readonly format: "json" | "toml";
  /** Where servers are kept in a JSON file (TOML: always `mcp_servers`). */
  readonly maps: ServerMaps;
}

export const CLIENTS: readonly Client[] = [
  { id: "claude-desktop", title: "Claude Desktop", format: "json", maps: [["mcpServers"]] },
  {
    id: "claude-code",
    title: "Claude Code",
    format: "json",
    maps: [["mcpServers"], ["projects", "*", "mcpServers"]],
  },
  { id: "cursor", title: "Cursor", format: "json", maps: [["mcpServers"]] },
  { id: "vscode", title: "VS Code", format: "json", maps: [["servers"]] },
  { id: "windsurf", title: "Windsurf", format: "json", maps: [["mcpServers"]] },
  { id: "codex", title: "OpenAI Codex", format: "toml", maps: [["mcp_servers"]] },
  { id: "gemini", title: "Gemini CLI", format: "json", maps: [["mcpServers"]] },
];

/** Other names people type for a client. */
const ALIASES: Readonly<Record<string, ClientId>> = {
  claude: "claude-desktop",
  "claude-desktop": "claude-desktop",
  "claude-code": "claude-code",
  cursor: "cursor",
  vscode: "vscode",
  code: "vscode",
  "vs-code": "vscode",
  windsurf: "windsurf",
  codex: "codex",
  gemini: "gemini",
  "gemini-cli": "gemini",
};

/** The client named `name`, or undefined. */
export function clientNamed(name: string): Client | undefined {
  const id = ALIASES[name.toLowerCase()];
  return CLIENTS.find((c) => c.id === id);
}

/** Every name `clientNamed` accepts, for "did you mean" hints. */
export const CLIENT_NAMES: readonly string[] = Object.keys(ALIASES);

export interface Place {
  readonly env: Readonly<Record<string, string>>;
  /** Deno.build.os: "linux", "darwin", "windows"… */
  readonly os: string;
  readonly cwd: string;
}

/** A config file a client reads, and whose it is. */
export interface ConfigFile {
  readonly path: string;
  readonly role: "user" | "project";
}

/**
 * The files `client` reads on this machine, user files first. A file may not exist; callers
 * look. Empty when the environment names no home.
 */
export function configFiles(client: ClientId, place: Place): ConfigFile[] {
  const files = candidates(client, place);
  // A project file that is the user's (km run in the home folder) is listed once.
  return files.filter((file, i) => files.findIndex((f) => f.path === file.path) === i);
}

function candidates(client: ClientId, place: Place): ConfigFile[] {
  const { env, os, cwd } = place;
  const windows = os === "windows";
  const sep = windows ? "\\" : "/";
  const join = (...parts: string[]) => parts.join(sep);
  const home = windows ? (env.USERPROFILE ?? homeFromDrive(env) ?? env.HOME) : env.HOME;
  // Where desktop apps keep their settings: %APPDATA%, ~/Library/Application Support, ~/.config.
  const appData = windows
    ? env.APPDATA ?? (home ? join(home, "AppData", "Roaming") : undefined)
    : os === "darwin"
    ? (home ? join(home, "Library", "Application Support") : undefined)
    : env.XDG_CONFIG_HOME || (home ? join(home, ".config") : undefined);
  const user = (...paths: (string | undefined)[]) =>
    paths.filter((p): p is string => p !== undefined).map((path) => ({
      path,
      role: "user" as const,
    }));
  const project = (...parts: string[]) => ({ path: join(cwd, ...parts), role: "project" as const });
  const inHome = (...parts: string[]) => (home ? join(home, ...parts) : undefined);
  switch (client) {
    case "claude-desktop":
      return user(appData && join(appData, "Claude", "claude_desktop_config.json"));
    case "claude-code":
      return [
        ...user(
          env.CLAUDE_CONFIG_DIR
            ? join(env.CLAUDE_CONFIG_DIR, ".claude.json")
            : inHome(".claude.json"),
        ),
        project(".mcp.json"),
      ];
    case "cursor":
      return [...user(inHome(".cursor", "mcp.json")), project(".cursor", "mcp.json")];
    case "vscode":
      return [
        ...user(
          appData && join(appData, "Code", "User", "mcp.json"),
          appData && join(appData, "Code - Insiders", "User", "mcp.json"),
        ),
        project(".vscode", "mcp.json"),
      ];
    case "windsurf":
      return user(inHome(".codeium", "windsurf", "mcp_config.json"));
    case "codex":
      return [
        ...user(
          env.CODEX_HOME ? join(env.CODEX_HOME, "config.toml") : inHome(".codex", "config.toml"),
        ),
        project(".codex", "config.toml"),
      ];
    case "gemini":
      return [...user(inHome(".gemini", "settings.json")), project(".gemini", "settings.json")];
  }
}

function homeFromDrive(env: Readonly<Record<string, string>>): string | undefined {
  return env.HOMEDRIVE && env.HOMEPATH ? `${env.HOMEDRIVE}${env.HOMEPATH}` : undefined;
}
