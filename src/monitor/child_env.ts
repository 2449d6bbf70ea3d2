/** The server's environment: inherited whole, or scrubbed to an allowlist, plus additions. */
import type { Config } from "../config/config.ts";

/** What the MCP SDK passes to a stdio server by default; kept when scrubbing. */
export const MINIMAL_ENV: Readonly<Record<string, readonly string[]>> = {
  posix: ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "TMPDIR"],
  windows: [
    "APPDATA",
    "HOMEDRIVE",
    "HOMEPATH",
    "LOCALAPPDATA",
    "PATH",
    "PROCESSOR_ARCHITECTURE",
    "SYSTEMDRIVE",
    "SYSTEMROOT",
    "TEMP",
    "USERNAME",
    "USERPROFILE",
    "PROGRAMFILES",
  ],
};

/**
 * Builds the environment for the server. With `inherit: false`, only the minimal set and names
 * matching `allow` (exact, or a prefix ending in `*`) pass. `set` is applied last.
 * `KM_PARENT_SESSION` names the session, so a nested km can relate its log to this one.
 */
export function childEnv(
  parent: Readonly<Record<string, string>>,
  env: Config["env"],
  os: string,
  sessionId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.inherit) {
    Object.assign(out, parent);
  } else {
    const keep = [...MINIMAL_ENV[os === "windows" ? "windows" : "posix"], ...env.allow];
    const matches = (name: string) =>
      keep.some((pattern) =>
        pattern.endsWith("*")
          ? name.startsWith(pattern.slice(0, -1))
          : os === "windows"
          ? pattern.toUpperCase() === name.toUpperCase()
          : pattern === name
      );
    for (const [name, value] of Object.entries(parent)) {
      if (matches(name) && !value.startsWith("()")) out[name] = value;
    }
  }
  Object.assign(out, env.set);
  out.KM_PARENT_SESSION = sessionId;
  return out;
}
