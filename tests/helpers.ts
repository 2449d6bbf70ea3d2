/** Shared pieces of the end-to-end tests: paths to km and the real servers, and log reading. */
import { KM_DENO_FLAGS } from "../src/runtime.ts";

export const ROOT = new URL("..", import.meta.url).pathname;
export const KM_MAIN = `${ROOT}main.ts`;
const PEERS = `${ROOT}tests/peers/node_modules/@modelcontextprotocol`;
export const SERVER_EVERYTHING = [`${PEERS}/server-everything/dist/index.js`, "stdio"];
export const SERVER_FILESYSTEM = [`${PEERS}/server-filesystem/dist/index.js`];
export const FIXTURES = `${ROOT}tests/fixtures`;

/** The command that runs km from source with the Deno running the tests. */
export function kmCommand(...args: string[]): string[] {
  return [Deno.execPath(), "run", ...KM_DENO_FLAGS, KM_MAIN, ...args];
}

/** What a km command printed and how it exited. */
export interface KmRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `km <args>` to its end, with no stdin; `options` as Deno.Command's. */
export async function runKm(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<KmRun> {
  const [program, ...rest] = kmCommand(...args);
  const output = await new Deno.Command(program, {
    ...options,
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** A node command line for a server script. */
export function nodeCommand(...args: string[]): string[] {
  return ["node", ...args];
}

/**
 * Reads every record of the only session log in `dir`. Only whole lines count: a test that
 * polls the log while km is writing it may catch the last record half written.
 */
export async function readSessionLog(dir: string): Promise<Record<string, unknown>[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".jsonl")) files.push(entry.name);
  }
  if (files.length !== 1) {
    throw new Error(`expected one session log in ${dir}, found ${files.length}`);
  }
  const text = await Deno.readTextFile(`${dir}/${files[0]}`);
  const whole = text.slice(0, text.lastIndexOf("\n") + 1);
  return whole.trimEnd().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/**
 * Every record of the session log in `dir` once km has written its shutdown record (km writes
 * its last records as it exits, which may be after its client has gone).
 */
export async function finishedSessionLog(
  dir: string,
  ms = 20_000,
): Promise<Record<string, unknown>[]> {
  for (const deadline = Date.now() + ms;;) {
    const records = await readSessionLog(dir).catch(() => []);
    if (records.some((r) => r.event === "shutdown")) return records;
    if (Date.now() > deadline) throw new Error(`km wrote no shutdown record in ${dir}`);
    await wait(25);
  }
}

/** True while a process with this pid exists. */
export { pidAlive as alive } from "../src/discovery.ts";

/** Pids of all processes whose command line contains `needle`. */
export async function processesMatching(needle: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", { args: ["-f", needle], stdout: "piped" })
    .output();
  return new TextDecoder().decode(stdout).trim().split("\n").filter(Boolean).map(Number);
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** km started as a child process, driven with raw bytes like an MCP client would. */
export class KmProcess {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stdout: Uint8Array[] = [];
  #stdoutText = "";
  readonly #stderr: Uint8Array[] = [];
  readonly #waiters: { test: (text: string) => boolean; resolve: () => void }[] = [];
  readonly done: Promise<void>;
  #stdoutReader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(
    args: string[],
    options: { env?: Record<string, string>; clearEnv?: boolean; readStderr?: boolean } = {},
  ) {
    const [program, ...rest] = kmCommand(...args);
    const child = new Deno.Command(program, {
      args: rest,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: options.env,
      clearEnv: options.clearEnv,
    }).spawn();
    this.child = child;
    this.#writer = this.child.stdin.getWriter();
    const decoder = new TextDecoder();
    this.done = Promise.all([
      (async () => {
        const reader = child.stdout.getReader();
        this.#stdoutReader = reader;
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          const chunk = r.value;
          this.#stdout.push(chunk);
          this.#stdoutText += decoder.decode(chunk, { stream: true });
          for (const w of [...this.#waiters]) {
            if (w.test(this.#stdoutText)) {
              this.#waiters.splice(this.#waiters.indexOf(w), 1);
              w.resolve();
            }
          }
        }
      })(),
      (async () => {
        // A client that never reads km's stderr: leave it unread until km has exited.
        if (options.readStderr === false) await child.status;
        for await (const chunk of child.stderr) this.#stderr.push(chunk);
      })(),
    ]).then(() => {});
  }

  /** Closes the client's end of km's stdout, as a client that stops reading would. */
  async stopReadingStdout(): Promise<void> {
    await this.#stdoutReader?.cancel();
  }

  async write(text: string | Uint8Array): Promise<void> {
    await this.#writer.write(typeof text === "string" ? new TextEncoder().encode(text) : text);
  }

  async closeStdin(): Promise<void> {
    await this.#writer.close().catch(() => {});
  }

  /** Resolves once stdout contains `needle` (or rejects after `ms`). */
  waitFor(needle: string | RegExp, ms = 20_000): Promise<void> {
    const test = (
      text: string,
    ) => (typeof needle === "string" ? text.includes(needle) : needle.test(text));
    if (test(this.#stdoutText)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${needle} in stdout:\n${this.#stdoutText}\nstderr:\n${this.stderr}`,
            ),
          ),
        ms,
      );
      this.#waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  get stdout(): string {
    return this.#stdoutText;
  }

  get stdoutBytes(): Uint8Array {
    const out = new Uint8Array(this.#stdout.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of this.#stdout) out.set(c, (offset += c.length) - c.length);
    return out;
  }

  get stderr(): string {
    return this.#stderr.map((c) => new TextDecoder().decode(c)).join("");
  }

  /** Lines of stdout parsed as JSON. */
  messages(): Record<string, unknown>[] {
    return this.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  }

  async exit(): Promise<Deno.CommandStatus> {
    const status = await this.child.status;
    await this.done;
    return status;
  }
}

export const INITIALIZE =
  '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw-test","version":"1"}}}\n';
export const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}\n';

/** Message records of a session log. */
export function messageRecords(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.filter((r) => r.type === "message");
}

/** `km monitor --quiet [flags] --log-dir DIR -- server...`, driven as a raw client. */
export function monitor(
  logDir: string,
  server: string[],
  flags: string[] = [],
  options?: ConstructorParameters<typeof KmProcess>[1],
): KmProcess {
  return new KmProcess(
    ["monitor", "--quiet", ...flags, "--log-dir", logDir, "--", ...server],
    options,
  );
}
