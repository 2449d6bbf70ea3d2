/**
 * The discovery file, `<data dir>/ui.json`: where a running dashboard listens, so `km monitor
 * --ui` can point at it instead of starting another. Written by `km ui` (owner-only: it holds
 * the access token), removed when it stops.
 */

export const DISCOVERY_FILE = "ui.json";

export interface Discovery {
  readonly pid: number;
  readonly port: number;
  /** The address, without the token. */
  readonly url: string;
  /**
   * The access token: `km monitor` sends it as `Authorization: Bearer`, the page as the same
   * header. Absent from files written before it had its own field (the token was in `url`).
   */
  readonly token?: string;
  /** The address that signs a browser in: `url` with `#token=…` (a fragment is never sent). */
  readonly signIn?: string;
  readonly logDir: string;
  readonly version: string;
  readonly startedAt: string;
}

/**
 * The address that signs a browser in. The token goes in the fragment: a browser never sends a
 * fragment to any server, nor puts it in a Referer; the page reads it and forgets the address.
 */
export function signInUrl(url: string, token: string): string {
  return `${url.replace(/[?#].*$/, "")}#token=${encodeURIComponent(token)}`;
}

/** A running dashboard's token: its own field, or the `?token=` of an older file's `url`. */
export function discoveryToken(found: Discovery): string | undefined {
  if (typeof found.token === "string" && found.token !== "") return found.token;
  try {
    return new URL(found.url).searchParams.get("token") ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command a person runs to open the dashboard signed in: `km ui --open`, with the folders
 * it must be told to find the running one. Paths are quoted for a POSIX shell when they need it.
 */
export function signInCommand(folders: { dataDir?: string; logDir?: string } = {}): string {
  const quote = (p: string) => /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replaceAll("'", `'\\''`)}'`;
  return [
    "km ui --open",
    ...(folders.dataDir === undefined ? [] : ["--data-dir", quote(folders.dataDir)]),
    ...(folders.logDir === undefined ? [] : ["--log-dir", quote(folders.logDir)]),
  ].join(" ");
}

export function discoveryPath(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, "")}/${DISCOVERY_FILE}`;
}

/** Parses a discovery file's text; undefined when it is not one. */
export function parseDiscovery(text: string): Discovery | undefined {
  try {
    const value = JSON.parse(text);
    if (
      typeof value?.pid === "number" && typeof value.port === "number" &&
      typeof value.url === "string" && typeof value.logDir === "string"
    ) return value as Discovery;
  } catch { /* not JSON */ }
  return undefined;
}

export async function writeDiscovery(dataDir: string, discovery: Discovery): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = discoveryPath(dataDir);
  const temp = `${path}.${discovery.pid}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(discovery, null, 2) + "\n", { mode: 0o600 });
  await Deno.rename(temp, path);
}

/** Reads the discovery file of a dashboard that is still running, if any. */
export function readLiveDiscovery(
  dataDir: string,
  isAlive: (pid: number) => boolean,
): Discovery | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(discoveryPath(dataDir));
  } catch {
    return undefined;
  }
  const found = parseDiscovery(text);
  return found && isAlive(found.pid) ? found : undefined;
}

/** Removes the discovery file if it is still this process's. */
export function removeDiscovery(dataDir: string, pid: number): void {
  const path = discoveryPath(dataDir);
  try {
    if (parseDiscovery(Deno.readTextFileSync(path))?.pid === pid) Deno.removeSync(path);
  } catch { /* gone already */ }
}

/**
 * Whether a process runs: SIGCONT, harmless to a running process, fails for a gone one.
 * Windows has no such signal; there a process is assumed to run.
 */
export function pidAlive(pid: number): boolean {
  if (Deno.build.os === "windows") return true;
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied;
  }
}
