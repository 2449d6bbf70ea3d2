/** Shared pieces of the end-to-end tests: paths to km and the real servers, and log reading. */

export const ROOT = new URL("..", import.meta.url).pathname;
export const KM_MAIN = `${ROOT}main.ts`;
const PEERS = `${ROOT}tests/peers/node_modules/@modelcontextprotocol`;
export const SERVER_EVERYTHING = [`${PEERS}/server-everything/dist/index.js`, "stdio"];
export const SERVER_FILESYSTEM = [`${PEERS}/server-filesystem/dist/index.js`];
export const FIXTURES = `${ROOT}tests/fixtures`;

/** The command that runs km from source with the Deno running the tests. */
export function kmCommand(...args: string[]): string[] {
  return [Deno.execPath(), "run", "--allow-all", KM_MAIN, ...args];
}

/** A node command line for a server script. */
export function nodeCommand(...args: string[]): string[] {
  return ["node", ...args];
}

/** Reads every record of the only session log in `dir`. */
export async function readSessionLog(dir: string): Promise<Record<string, unknown>[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".jsonl")) files.push(entry.name);
  }
  if (files.length !== 1) {
    throw new Error(`expected one session log in ${dir}, found ${files.length}`);
  }
  const text = await Deno.readTextFile(`${dir}/${files[0]}`);
  return text.trimEnd().split("\n").map((line) => JSON.parse(line));
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Pids of all processes whose command line contains `needle`. */
export async function processesMatching(needle: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", { args: ["-f", needle], stdout: "piped" })
    .output();
  return new TextDecoder().decode(stdout).trim().split("\n").filter(Boolean).map(Number);
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
