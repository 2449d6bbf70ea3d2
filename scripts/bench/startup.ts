/**
 * The start-up part of `deno task bench` (alone: `deno run -A scripts/bench.ts --startup`): how
 * long an MCP client waits for its first answer when it starts `km monitor -- <server>` instead
 * of the server. km as users install it (the npm package built from this tree by scripts/pack.ts,
 * installed into a temporary prefix, whose `km` its install script points at Deno on km's
 * bundle) against the server alone, the package's Node.js launcher (what `km` is on Windows or
 * without install scripts), and `deno run main.ts` from the clone.
 * Each run is timed from the spawn to the first line on stdout, the answer to a request written
 * right after the spawn (as a client writes `initialize`); runs of the setups alternate.
 */
import { KM_DENO_FLAGS } from "../../src/runtime.ts";
import { pack } from "../pack.ts";
import { npmInstallGlobal, prefixBin } from "../pack/npm.ts";

export const STARTUP_PLAN = { warmup: 2, runs: 15, targetAddedMs: 150 } as const;

const ROOT = new URL("../../", import.meta.url).pathname;
const DENO = Deno.execPath();
const ECHO_SERVER = `${ROOT}scripts/bench/echo_server.ts`;

/** One setup: a label and the command it spawns (`logDir` for km's audit log). */
interface StartupSetup {
  readonly label: string;
  readonly command: (logDir: string) => string[];
}

export interface StartupRow {
  readonly label: string;
  readonly p50Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface StartupResult {
  readonly rows: readonly StartupRow[];
  /** p50 of the installed km minus p50 of the server alone. */
  readonly addedMs: number;
  readonly packageBytes: number;
  readonly installMs: number;
}

const REQUEST = new TextEncoder().encode(
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{}}}\n',
);

/** Spawns `command`, writes one request, and returns the ms until the first line comes back. */
async function firstAnswerMs(command: readonly string[]): Promise<number> {
  const [program, ...args] = command;
  const started = performance.now();
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(REQUEST);
  let answeredAt: number | undefined;
  let text = "";
  const decoder = new TextDecoder();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (answeredAt === undefined && text.includes("\n")) {
        answeredAt = performance.now();
        await writer.close();
      }
    }
    const { code } = await child.status;
    if (answeredAt === undefined || !text.startsWith('{"jsonrpc":"2.0","id":1,"result"')) {
      throw new Error(`${command.join(" ")} gave no answer (exit ${code}): ${text.slice(0, 300)}`);
    }
    if (code !== 0) throw new Error(`${command.join(" ")} exited with ${code}`);
    return answeredAt - started;
  } finally {
    clearTimeout(timer);
  }
}

/** Builds and installs the package into a temporary prefix, then times every setup. */
export async function measureStartup(
  log: (line: string) => void = () => {},
): Promise<StartupResult> {
  const tmp = await Deno.makeTempDir({ prefix: "km-bench-startup-" });
  try {
    const packed = await pack({ outDir: `${tmp}/dist`, log });
    const prefix = `${tmp}/prefix`;
    const installing = performance.now();
    await npmInstallGlobal(packed.path, { prefix });
    const installMs = performance.now() - installing;
    const installed = `${prefixBin(prefix)}/km`;
    const launcher = `${prefix}/lib/node_modules/kilometers/bin/km.cjs`;
    const server = [DENO, "run", "--no-prompt", ECHO_SERVER];
    const monitor = (
      logDir: string,
    ) => ["monitor", "--quiet", "--log-dir", logDir, "--", ...server];
    const setups: StartupSetup[] = [
      { label: "the server alone", command: () => server },
      { label: "km installed from npm", command: (d) => [installed, ...monitor(d)] },
      {
        label: "km through the Node.js launcher",
        command: (d) => ["node", launcher, ...monitor(d)],
      },
      {
        label: "deno run main.ts (the clone)",
        command: (d) => [DENO, "run", ...KM_DENO_FLAGS, `${ROOT}main.ts`, ...monitor(d)],
      },
    ];
    const times = setups.map(() => [] as number[]);
    for (let run = 0; run < STARTUP_PLAN.warmup + STARTUP_PLAN.runs; run++) {
      for (const [i, setup] of setups.entries()) {
        const ms = await firstAnswerMs(setup.command(`${tmp}/logs`));
        if (run >= STARTUP_PLAN.warmup) times[i].push(ms);
      }
    }
    const rows = setups.map((setup, i) => {
      const sorted = times[i].toSorted((a, b) => a - b);
      return {
        label: setup.label,
        p50Ms: sorted[Math.floor((sorted.length - 1) / 2)],
        minMs: sorted[0],
        maxMs: sorted[sorted.length - 1],
      };
    });
    return { rows, addedMs: rows[1].p50Ms - rows[0].p50Ms, packageBytes: packed.size, installMs };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

export const STARTUP_HEADERS = ["start-up: spawn to first answer", "p50 ms", "min ms", "max ms"];

export function startupRows(r: StartupResult): string[][] {
  const ms = (n: number) => n.toFixed(0);
  return [
    ...r.rows.map((row) => [row.label, ms(row.p50Ms), ms(row.minMs), ms(row.maxMs)]),
    [
      `added by installed km, p50 (target ≤ ${STARTUP_PLAN.targetAddedMs} ms: ${
        r.addedMs <= STARTUP_PLAN.targetAddedMs ? "PASS" : "MISS"
      })`,
      ms(r.addedMs),
      "",
      "",
    ],
  ];
}
