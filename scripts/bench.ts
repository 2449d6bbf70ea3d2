// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * `deno task bench`: what km costs on the wire. Runs one client against three setups, side by
 * side: the echo server spawned directly, behind a raw byte relay (the floor of an extra
 * process hop in Deno), and behind `km monitor`. For each it measures sequential round-trip
 * latency, pipelined throughput, the round trip of a 10 MiB message and the proxy's peak RSS,
 * prints a table with km/raw ratios against targets, and writes the same to docs/benchmarks.md.
 * Then the dashboard, approvals, and start-up (scripts/bench/startup.ts: the npm package's `km`
 * against the server alone); `--startup` runs only the start-up part and prints it.
 */
import { KM_DENO_FLAGS } from "../src/runtime.ts";
import { LineSplitter } from "./bench/echo_server.ts";
import {
  DASHBOARD_HEADERS,
  DASHBOARD_PLAN,
  type DashboardResult,
  dashboardRows,
  measureDashboard,
} from "./bench/dashboard.ts";
import {
  APPROVALS_HEADERS,
  APPROVALS_PLAN,
  type ApprovalsResult,
  approvalsRows,
  measureApprovals,
} from "./bench/approvals.ts";
import {
  measureStartup,
  STARTUP_HEADERS,
  STARTUP_PLAN,
  type StartupResult,
  startupRows,
} from "./bench/startup.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const DENO = Deno.execPath();
const ECHO_SERVER = `${ROOT}scripts/bench/echo_server.ts`;
const RAW_RELAY = `${ROOT}scripts/bench/raw_relay.ts`;
const KM_MAIN = `${ROOT}main.ts`;
const REPORT = `${ROOT}docs/benchmarks.md`;

/** How much of everything. */
export const PLAN = {
  warmup: 200,
  sequential: 2000,
  /** Size of the `message` argument: the params come to about 300 bytes. */
  messageChars: 260,
  pipelined: 20_000,
  /** Requests per write in the pipelined run (about 24 KiB). */
  pipelineBatch: 64,
  /** Pipelined runs per setup; the median is reported. */
  pipelinedRounds: 5,
  largeBytes: 10 * 1024 * 1024,
  /** Timed 10 MiB round trips, after one warm-up. */
  largeRuns: 5,
  /** Any single phase taking longer than this is a hang. */
  phaseTimeoutMs: 60_000,
} as const;

/** The targets for km relative to the raw relay, and for its memory. */
export const TARGETS = {
  p50Ratio: 1.3,
  throughputRatio: 0.6,
  /** With a policy evaluated on every message (the policy engine's target). */
  policyThroughputRatio: 0.5,
  largeRatio: 2,
  kmPeakRssMiB: 80,
} as const;

// ---------------------------------------------------------------------------------------------
// The client harness: any spawned command that speaks newline-delimited JSON-RPC on stdio.

/** A line received on the child's stdout, stamped when its chunk arrived. */
export interface Received {
  readonly line: Uint8Array;
  readonly at: number;
}

type LineHandler = (line: Uint8Array, at: number) => void;

const unexpected: LineHandler = (line) => {
  throw new Error(`unexpected output: ${preview(line)}`);
};

/**
 * A spawned peer. Its stdout is read from the start, concurrently with every write, so large
 * and pipelined runs cannot deadlock on full pipes. Each line goes to the current handler.
 */
export class Peer {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reading: Promise<void>;
  #onLine: LineHandler = unexpected;
  #nextId = 1;

  constructor(readonly command: readonly string[], cwd = ROOT) {
    const [program, ...args] = command;
    this.child = new Deno.Command(program, {
      args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#reading = this.#read();
  }

  /** A fresh request id: ids stay unique over the whole session. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Routes every following line to `handler`. */
  listen(handler: LineHandler): void {
    this.#onLine = handler;
  }

  /** The next line, whenever it comes. Set it up before writing the request. */
  nextLine(): Promise<Received> {
    return new Promise((resolve) => {
      this.#onLine = (line, at) => {
        this.#onLine = unexpected;
        resolve({ line, at });
      };
    });
  }

  /** Resolves when the child's stdin has accepted the bytes. */
  write(bytes: Uint8Array): Promise<void> {
    return this.#writer.write(bytes);
  }

  /** High-water mark of the child's resident memory so far, in MiB (Linux only). */
  peakRssMiB(): number | undefined {
    try {
      const status = Deno.readTextFileSync(`/proc/${this.child.pid}/status`);
      const kib = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kib === undefined ? undefined : Number(kib) / 1024;
    } catch {
      return undefined;
    }
  }

  /**
   * CPU seconds (user and system, every thread) used so far by the child, and by all three
   * processes of the setup: the client (this process), the child and the child's children
   * (Linux only).
   */
  cpuSeconds(): { child: number; all: number } | undefined {
    try {
      const child = cpuSecondsOf(this.child.pid);
      const grandchildren = childrenOf(this.child.pid).map(cpuSecondsOf);
      const all = child + cpuSecondsOf(Deno.pid) + grandchildren.reduce((a, b) => a + b, 0);
      return { child, all };
    } catch {
      return undefined;
    }
  }

  /** Closes stdin, reads stdout to its end and returns the exit code. */
  async close(): Promise<number> {
    await this.#writer.close();
    await this.#reading;
    return (await this.child.status).code;
  }

  /** Ends a peer that failed or hung. */
  kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async #read(): Promise<void> {
    const lines = new LineSplitter();
    for await (const chunk of this.child.stdout) {
      const at = performance.now();
      lines.push(chunk, (line) => this.#onLine(line, at));
    }
    const rest = lines.end();
    if (rest) throw new Error(`output ended in an unterminated line: ${preview(rest)}`);
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function cpuSecondsOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // After the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

function childrenOf(pid: number): number[] {
  const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
  return text === "" ? [] : text.split(/\s+/).map(Number);
}

// ---------------------------------------------------------------------------------------------
// Messages.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The params of a typical MCP tools/call, about 300 bytes of JSON. Each request's arguments
 * differ (they start with its number), as a real session's mostly do: a policy that reads the
 * arguments decides every call afresh, and only truly repeated calls can reuse a decision.
 */
export function toolCallParams(
  n = 0,
  chars = PLAN.messageChars,
): { name: string; arguments: object } {
  const text = "The quick brown fox jumps over the lazy dog. ".repeat(Math.ceil(chars / 45));
  const message = `#${String(n).padStart(8, "0")} ${text}`.slice(0, chars);
  return { name: "echo", arguments: { message } };
}

export function echoRequest(id: number, paramsJson: string): string {
  // A tools/call, so that policies see what they would see in a real session.
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${paramsJson}}\n`;
}

/** What the echo server sends back for `echoRequest(id, paramsJson)`. */
export function echoResponse(id: number, paramsJson: string): string {
  return `{"jsonrpc":"2.0","id":${id},"result":${paramsJson}}`;
}

/** Parses a response and checks that it answers `id` with `expected` (compared as JSON). */
function checkEcho(line: Uint8Array, id: number, expectedJson: string): void {
  const message = JSON.parse(decoder.decode(line));
  if (message.id !== id || JSON.stringify(message.result) !== expectedJson) {
    throw new Error(`bad answer to request ${id}: ${preview(line)}`);
  }
}

const RESPONSE_PREFIX = encoder.encode('{"jsonrpc":"2.0","id":');

/**
 * The id of an echo response, read from its bytes without parsing the rest (the pipelined run
 * checks ids and lengths of 20 000 answers; a JSON.parse each would load the client).
 */
export function responseId(line: Uint8Array): number {
  for (let i = 0; i < RESPONSE_PREFIX.length; i++) {
    if (line[i] !== RESPONSE_PREFIX[i]) throw new Error(`not an echo response: ${preview(line)}`);
  }
  let id = 0;
  let i = RESPONSE_PREFIX.length;
  for (; i < line.length && line[i] >= 0x30 && line[i] <= 0x39; i++) id = id * 10 + line[i] - 0x30;
  if (i === RESPONSE_PREFIX.length || line[i] !== 0x2c) {
    throw new Error(`cannot read the id of: ${preview(line)}`);
  }
  return id;
}

function preview(line: Uint8Array): string {
  const text = decoder.decode(line.subarray(0, 200));
  return line.length > 200 ? `${text}… (${line.length} bytes)` : text;
}

// ---------------------------------------------------------------------------------------------
// The measurements.

/** Round-trip times in µs of `count` requests sent one at a time. */
export async function sequentialLatencies(peer: Peer, count: number): Promise<number[]> {
  const micros: number[] = [];
  for (let n = 0; n < count; n++) {
    const id = peer.nextId();
    const paramsJson = JSON.stringify(toolCallParams(id));
    const request = encoder.encode(echoRequest(id, paramsJson));
    const reply = peer.nextLine();
    const sent = performance.now();
    await peer.write(request);
    const { line, at } = await reply;
    micros.push((at - sent) * 1000);
    checkEcho(line, id, paramsJson);
  }
  return micros;
}

/** Messages per second for `count` requests written as fast as the pipe takes them. */
export async function pipelinedThroughput(peer: Peer, count: number): Promise<number> {
  const firstId = peer.nextId();
  const paramsOf = (id: number) => JSON.stringify(toolCallParams(id));
  for (let n = 1; n < count; n++) peer.nextId();
  const batches: Uint8Array[] = [];
  for (let n = 0; n < count; n += PLAN.pipelineBatch) {
    let text = "";
    for (let k = n; k < Math.min(count, n + PLAN.pipelineBatch); k++) {
      text += echoRequest(firstId + k, paramsOf(firstId + k));
    }
    batches.push(encoder.encode(text));
  }
  // Every request's params have the same length (toolCallParams pads the number), so the
  // check of each answer builds no params again: the client's CPU is shared with the proxy.
  const paramsLength = paramsOf(firstId).length;
  const lengthOf = (id: number) => echoResponse(id, "").length + paramsLength;
  const seen = new Uint8Array(count);
  let received = 0;
  let done!: (at: number) => void;
  let failed!: (error: unknown) => void;
  const finished = new Promise<number>((resolve, reject) => ((done = resolve), (failed = reject)));
  peer.listen((line, at) => {
    try {
      const id = responseId(line);
      const k = id - firstId;
      if (!(k >= 0 && k < count) || seen[k]) throw new Error(`unexpected or repeated id ${id}`);
      if (line.length !== lengthOf(id)) throw new Error(`answer ${id} has the wrong length`);
      seen[k] = 1;
      if (++received === count) done(at);
    } catch (error) {
      failed(error);
    }
  });
  const start = performance.now();
  const writing = (async () => {
    for (const batch of batches) await peer.write(batch);
  })();
  const [end] = await Promise.all([finished, writing]);
  peer.listen(unexpected);
  return count / ((end - start) / 1000);
}

/** Round-trip time in ms of one request whose params carry a string of `bytes` bytes. */
export async function largeRoundTrip(peer: Peer, bytes: number): Promise<number> {
  const id = peer.nextId();
  const request = encoder.encode(echoRequest(id, `{"data":"${"x".repeat(bytes)}"}`));
  const reply = peer.nextLine();
  const sent = performance.now();
  await peer.write(request);
  const { line, at } = await reply;
  const message = JSON.parse(decoder.decode(line));
  if (message.id !== id || message.result?.data?.length !== bytes) {
    throw new Error(`bad answer to the ${bytes}-byte request: ${preview(line)}`);
  }
  return at - sent;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 50);

// ---------------------------------------------------------------------------------------------
// The setups and a run.

export interface Setup {
  readonly key: "direct" | "raw" | "km" | "km-metadata" | "km-default" | "km-example";
  readonly label: string;
  /** What the peak RSS column is of. */
  readonly process: string;
  readonly command: readonly string[];
}

export interface Measurement {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly messagesPerSecond: number;
  readonly largeMs: number;
  /** VmHWM after the sequential and 10 MiB phases: the footprint of ordinary traffic. */
  readonly steadyRssMiB: number | undefined;
  /** VmHWM at the end, after the pipelined bursts too. */
  readonly peakRssMiB: number | undefined;
  /** CPU time per request and its answer over the pipelined runs, in µs (Linux only). */
  readonly cpuUsPerCall: { readonly child: number; readonly all: number } | undefined;
}

/** The example policy the benchmark loads: several rules on every tools/call. */
const EXAMPLE_POLICY = `${ROOT}policies/examples/approve-destructive`;

export function echoServerCommand(): string[] {
  return [DENO, "run", "--no-prompt", ECHO_SERVER];
}

export function setups(logDir: string): Setup[] {
  const server = echoServerCommand();
  const km = (...flags: string[]) => [
    ...[DENO, "run", ...KM_DENO_FLAGS, KM_MAIN, "monitor", "--quiet", ...flags],
    ...["--log-dir", logDir, "--", ...server],
  ];
  return [
    { key: "direct", label: "direct", process: "the echo server", command: server },
    {
      key: "raw",
      label: "raw relay",
      process: "raw_relay.ts",
      command: [DENO, "run", "--allow-run", "--no-prompt", RAW_RELAY, ...server],
    },
    // The relay and its audit log alone (issue targets of the relay are measured here)...
    { key: "km", label: "km, no policy", process: "km", command: km("--no-policy") },
    {
      key: "km-metadata",
      label: "km, no policy, metadata log",
      process: "km",
      command: km("--no-policy", "--log-bodies", "metadata"),
    },
    // ...and with policies evaluated on every message.
    { key: "km-default", label: "km, default policy", process: "km", command: km() },
    {
      key: "km-example",
      label: "km, example policy",
      process: "km",
      command: km("--policy", EXAMPLE_POLICY),
    },
  ];
}

/** Fails with `what` when `promise` takes longer than the phase timeout. */
async function phase<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${PLAN.phaseTimeoutMs / 1000} s`)),
      PLAN.phaseTimeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every measurement against one setup, in one session of it. */
export async function measure(setup: Setup): Promise<Measurement> {
  const peer = new Peer(setup.command);
  const step = <T>(what: string, run: () => Promise<T>) => phase(`${setup.label}: ${what}`, run());
  try {
    await step("warm-up", () => sequentialLatencies(peer, PLAN.warmup));
    const micros = await step("latency", () => sequentialLatencies(peer, PLAN.sequential));
    await step("10 MiB warm-up", () => largeRoundTrip(peer, PLAN.largeBytes));
    const large: number[] = [];
    for (let run = 0; run < PLAN.largeRuns; run++) {
      large.push(await step("10 MiB", () => largeRoundTrip(peer, PLAN.largeBytes)));
    }
    // Read before the bursts: their allocation rate makes V8 grow its young generation.
    const steadyRssMiB = peer.peakRssMiB();
    const rates: number[] = [];
    const cpuBefore = peer.cpuSeconds();
    for (let round = 0; round < PLAN.pipelinedRounds; round++) {
      rates.push(await step("throughput", () => pipelinedThroughput(peer, PLAN.pipelined)));
    }
    const cpuAfter = peer.cpuSeconds();
    const peakRssMiB = peer.peakRssMiB();
    const code = await step("shutdown", () => peer.close());
    if (code !== 0) throw new Error(`${setup.label} exited with code ${code}`);
    return {
      p50Us: percentile(micros, 50),
      p99Us: percentile(micros, 99),
      messagesPerSecond: median(rates),
      largeMs: median(large),
      steadyRssMiB,
      peakRssMiB,
      cpuUsPerCall: cpuBefore && cpuAfter
        ? {
          child: perCallUs(cpuAfter.child - cpuBefore.child),
          all: perCallUs(cpuAfter.all - cpuBefore.all),
        }
        : undefined,
    };
  } catch (error) {
    peer.kill();
    throw error;
  }
}

/** CPU seconds spent on all the pipelined runs, per call, in µs. */
function perCallUs(seconds: number): number {
  return seconds / (PLAN.pipelinedRounds * PLAN.pipelined) * 1e6;
}

// ---------------------------------------------------------------------------------------------
// The report.

export type Results = ReadonlyMap<Setup["key"], Measurement>;

interface Verdict {
  readonly what: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean;
}

export function verdicts(results: Results): Verdict[] {
  const km = results.get("km")!;
  const raw = results.get("raw")!;
  const withPolicy = results.get("km-default");
  const p50 = km.p50Us / raw.p50Us;
  const throughput = km.messagesPerSecond / raw.messagesPerSecond;
  const large = km.largeMs / raw.largeMs;
  const rss = km.peakRssMiB;
  const steady = km.steadyRssMiB;
  return [
    {
      what: "p50 latency, km / raw",
      value: p50.toFixed(2),
      target: `≤ ${TARGETS.p50Ratio}`,
      pass: p50 <= TARGETS.p50Ratio,
    },
    {
      what: "throughput, km / raw",
      value: throughput.toFixed(2),
      target: `≥ ${TARGETS.throughputRatio}`,
      pass: throughput >= TARGETS.throughputRatio,
    },
    {
      what: "10 MiB round trip, km / raw",
      value: large.toFixed(2),
      target: `≤ ${TARGETS.largeRatio}`,
      pass: large <= TARGETS.largeRatio,
    },
    {
      what: "km peak RSS, whole run",
      value: rss === undefined ? "n/a" : `${rss.toFixed(1)} MiB`,
      target: `≤ ${TARGETS.kmPeakRssMiB} MiB`,
      pass: rss !== undefined && rss <= TARGETS.kmPeakRssMiB,
    },
    ...(withPolicy
      ? [
        {
          what: "p50 latency, km default policy / raw",
          value: (withPolicy.p50Us / raw.p50Us).toFixed(2),
          target: `≤ ${TARGETS.p50Ratio}`,
          pass: withPolicy.p50Us / raw.p50Us <= TARGETS.p50Ratio,
        },
        {
          what: "throughput, km default policy / raw",
          value: (withPolicy.messagesPerSecond / raw.messagesPerSecond).toFixed(2),
          target: `≥ ${TARGETS.policyThroughputRatio}`,
          pass:
            withPolicy.messagesPerSecond / raw.messagesPerSecond >= TARGETS.policyThroughputRatio,
        },
      ]
      : []),
    {
      what: "km peak RSS, before the bursts",
      value: steady === undefined ? "n/a" : `${steady.toFixed(1)} MiB`,
      target: `≤ ${TARGETS.kmPeakRssMiB} MiB`,
      pass: steady !== undefined && steady <= TARGETS.kmPeakRssMiB,
    },
  ];
}

const RESULT_HEADERS = [
  "setup",
  "p50 µs",
  "p99 µs",
  "throughput msg/s",
  "10 MiB round trip ms",
  "RSS before bursts MiB",
  "peak RSS MiB",
  "CPU µs/call",
  "CPU µs/call, all",
];

function resultRows(results: Results, list: readonly Setup[]): string[][] {
  return list.map((setup) => {
    const m = results.get(setup.key)!;
    return [
      setup.label,
      m.p50Us.toFixed(0),
      m.p99Us.toFixed(0),
      Math.round(m.messagesPerSecond).toLocaleString("en-US"),
      m.largeMs.toFixed(1),
      m.steadyRssMiB === undefined ? "n/a" : m.steadyRssMiB.toFixed(1),
      m.peakRssMiB === undefined ? "n/a" : m.peakRssMiB.toFixed(1),
      m.cpuUsPerCall === undefined ? "n/a" : m.cpuUsPerCall.child.toFixed(1),
      m.cpuUsPerCall === undefined ? "n/a" : m.cpuUsPerCall.all.toFixed(1),
    ];
  });
}

function verdictRows(list: readonly Verdict[]): string[][] {
  return list.map((v) => [v.what, v.value, v.target, v.pass ? "PASS" : "MISS"]);
}

const NUMBER = /^[\d,.]+$/;

/** A plain-text table with aligned columns; numbers are right-aligned. */
export function textTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (text: string, i: number) =>
    i > 0 && NUMBER.test(text) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]) => cells.map(cell).join("   ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("   "), ...rows.map(line)].join(
    "\n",
  );
}

/** A markdown table; columns of numbers are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const numeric = (i: number) => i > 0 && rows.every((row) => NUMBER.test(row[i]));
  const align = headers.map((_, i) => (numeric(i) ? "---:" : "---"));
  return [line(headers), line(align), ...rows.map(line)].join("\n");
}

export interface Machine {
  readonly date: string;
  readonly os: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly deno: string;
}

function machine(): Machine {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ?? cpu;
  } catch {
    // Not Linux.
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    os: `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`,
    cpu,
    cpus: navigator.hardwareConcurrency,
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
  };
}

const VERDICT_HEADERS = ["check", "value", "target", "result"];

function textReport(results: Results, list: readonly Setup[]): string {
  return [
    textTable(RESULT_HEADERS, resultRows(results, list)),
    "",
    textTable(VERDICT_HEADERS, verdictRows(verdicts(results))),
  ].join("\n");
}

export function markdownReport(
  results: Results,
  list: readonly Setup[],
  m: Machine,
  dashboard?: DashboardResult,
  approvals?: ApprovalsResult,
  startup?: StartupResult,
): string {
  return `# Benchmarks

What km costs on the wire, measured by \`deno task bench\` (scripts/bench.ts). Generated; do not
edit by hand: run the benchmark again.

- Date: ${m.date}
- Machine: ${m.os}, ${m.cpus} CPUs (${m.cpu})
- Deno: ${m.deno}

## How to run

\`\`\`sh
deno task bench
\`\`\`

It installs the test servers if needed (scripts/setup.ts), takes a few seconds, prints the
tables below and rewrites this file. Close other busy programs first: client, proxy and server
all compete for the CPUs, and on a small machine the numbers move by 10-20% from run to run.

## The setups

One client (scripts/bench.ts) spawns each setup and speaks newline-delimited JSON-RPC on its
stdin and stdout. All three end in the same server, scripts/bench/echo_server.ts, run with the
same Deno: it answers each \`echo\` request with its params as the result.

- **direct**: the client spawns the echo server itself. No proxy: the reference point.
- **raw relay**: the client spawns scripts/bench/raw_relay.ts, a Deno program that spawns the
  echo server and pipes bytes both ways (\`pipeTo\`) without looking at them. This is the
  physical floor of any stdio proxy written in Deno: an extra process and two extra pipes.
- **km, no policy**: the client spawns \`deno run ${
    KM_DENO_FLAGS.join(" ")
  } main.ts monitor --quiet --no-policy --log-dir <tmp> -- <echo server>\`: the relay alone,
  framing, parsing, correlating and writing the full (redacted) audit log of every message.
  The relay's targets are checked against this row.
- **km, no policy, metadata log**: the same with \`--log-bodies metadata\`: every message is
  still parsed, correlated and recorded, without its body (no redaction, smaller records).
- **km, default policy**: km as it runs by default, evaluating its embedded default policy
  (labels and risk scores) on every message.
- **km, example policy**: km with \`--policy policies/examples/approve-destructive\`.

## What is measured

In one session per setup:

- **latency**: ${PLAN.sequential.toLocaleString("en-US")} requests one at a time, after a warm-up of
  ${PLAN.warmup}, each the size of a typical \`tools/call\` (params of about 300 bytes): p50 and p99
  of the round trip, from the client's write to the arrival of the answer.
- **throughput**: ${
    PLAN.pipelined.toLocaleString("en-US")
  } such requests written as fast as the pipe
  takes them (${PLAN.pipelineBatch} per write) while the answers are read, every id checked: the
  median of ${PLAN.pipelinedRounds} runs, in messages per second.
- **10 MiB round trip**: one request whose params carry a 10 MiB string, echoed back; the
  median of ${PLAN.largeRuns} runs after a warm-up, with the echoed length checked.
- **RSS**: VmHWM (the high-water mark of resident memory) of the process the client spawned
  (the server for direct, the relay, km), read from /proc twice: after the sequential and
  10 MiB phases ("before bursts": the footprint of real MCP traffic), and at the end, after
  the pipelined bursts, whose allocation rate makes V8 grow its young generation.
- **CPU**: over the throughput runs, the CPU time (user and system, all threads, from /proc)
  per request and its answer: of the process the client spawned ("CPU µs/call"), and of all
  three processes together, client, proxy and server ("all"). The machine's CPUs are shared
  by the three: the time the proxy spends is time the client and the server do not get.

The phases run in this order: warm-up, latency, 10 MiB, throughput.

## Results

${markdownTable(RESULT_HEADERS, resultRows(results, list))}

## km against the raw relay

${markdownTable(VERDICT_HEADERS, verdictRows(verdicts(results)))}
${dashboard ? dashboardSection(dashboard) : ""}${approvals ? approvalsSection(approvals) : ""}${
    startup ? startupSection(startup) : ""
  }`;
}

function startupSection(r: StartupResult): string {
  return `
## Start-up

How long an MCP client waits for its first answer when it starts \`km monitor --quiet -- <echo
server>\` instead of the server (scripts/bench/startup.ts): from the spawn to the answer of a
request written right after it, p50 of ${STARTUP_PLAN.runs} runs after ${STARTUP_PLAN.warmup}
warm-ups, the setups alternating. "Installed" is the npm package built from this tree
(${(r.packageBytes / 1048576).toFixed(1)} MiB; \`npm install -g\` into a temporary prefix took
${(r.installMs / 1000).toFixed(1)} s): Node.js runs the launcher, which runs km's bundle on the
package's Deno.

${markdownTable(STARTUP_HEADERS, startupRows(r))}
`;
}

function approvalsSection(r: ApprovalsResult): string {
  return `
## Approvals

\`km ui\` runs; a client speaking JSON-RPC on stdio (declaring elicitation) drives \`km monitor
--policy policies/examples/approve-destructive\` in front of server-everything and makes
${APPROVALS_PLAN.rounds} calls the policy holds, one at a time. Each is timed from the client's
write to the dashboard's server-sent \`approval\` event and to km's \`elicitation/create\` on
the client's stdin; then it is approved, in the dashboard (by POST, as the page does) on even
rounds and in the client on odd ones, and timed from the answer to the call's response. No
step polls: each hop is a pipe, a WebSocket or a server-sent event.

${markdownTable(APPROVALS_HEADERS, approvalsRows(r))}
`;
}

function dashboardSection(d: DashboardResult): string {
  const { sessions, recordsPerSession } = DASHBOARD_PLAN;
  return `
## The dashboard

\`km ui --port 0\` over a log directory of ${sessions} sessions of ${recordsPerSession} records
(tools/call requests and results with bodies, decisions, some denials), written before it
starts. "First view" runs from spawning km ui to the answers of everything the page loads
first: the page, its script and style, then records, sessions, statistics and policy. "New
record to browser" appends a record to a session file and times its server-sent event.

${markdownTable(DASHBOARD_HEADERS, dashboardRows(d))}
`;
}

/** `--startup`: only the start-up measurement, printed (docs/benchmarks.md is left alone). */
async function startupOnly(): Promise<void> {
  console.error("bench: start-up (builds and installs the npm package first)...");
  const startup = await measureStartup((line) => console.error(`bench: ${line}`));
  console.log(`\n${textTable(STARTUP_HEADERS, startupRows(startup))}`);
  console.log(
    `\npackage ${(startup.packageBytes / 1048576).toFixed(1)} MiB, ` +
      `npm install -g ${(startup.installMs / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  if (Deno.args.includes("--startup")) return await startupOnly();
  const logDir = await Deno.makeTempDir({ prefix: "km-bench-" });
  const list = setups(logDir);
  const results = new Map<Setup["key"], Measurement>();
  const started = performance.now();
  try {
    for (const setup of list) {
      console.error(`bench: ${setup.label}...`);
      results.set(setup.key, await measure(setup));
    }
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
  console.error("bench: the dashboard over 100,000 records...");
  const dashboard = await measureDashboard();
  console.error("bench: approvals...");
  const approvals = await measureApprovals();
  console.error("bench: start-up of the installed npm package...");
  const startup = await measureStartup();
  const m = machine();
  console.log(`\nkm benchmark, ${m.date}: ${m.os}, ${m.cpus} CPUs, Deno ${m.deno}\n`);
  console.log(textReport(results, list));
  console.log(`\n${textTable(DASHBOARD_HEADERS, dashboardRows(dashboard))}`);
  console.log(`\n${textTable(APPROVALS_HEADERS, approvalsRows(approvals))}`);
  console.log(`\n${textTable(STARTUP_HEADERS, startupRows(startup))}`);
  await Deno.writeTextFile(
    REPORT,
    markdownReport(results, list, m, dashboard, approvals, startup),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`\nwrote ${REPORT.slice(ROOT.length)} (${seconds} s)`);
}

if (import.meta.main) await main();
