/**
 * The approvals part of `deno task bench`: how fast a held call reaches a person, and how fast
 * the answer releases it. `km ui` runs; a client speaking raw JSON-RPC (declaring elicitation)
 * drives `km monitor --policy policies/examples/approve-destructive` in front of
 * server-everything, and sends calls the policy holds. Each round times the call to the
 * dashboard's server-sent `approval` event and to km's `elicitation/create` on the client's
 * stdin, then answers in the dashboard (even rounds, by POST) or in the client (odd rounds) and
 * times the answer to the call's response.
 */
import { KM_DENO_FLAGS } from "../../src/runtime.ts";
import { addressFrom, tokenIn } from "./dashboard.ts";
import { LineSplitter } from "./echo_server.ts";

export const APPROVALS_PLAN = { rounds: 20 } as const;

export interface ApprovalsResult {
  /** Call written → the dashboard's `approval` event received, ms per round. */
  readonly toDashboard: number[];
  /** Call written → km's `elicitation/create` received by the client. */
  readonly toClient: number[];
  /** Approve POSTed → the call's response received. */
  readonly dashboardAnswer: number[];
  /** Elicitation accepted → the call's response received. */
  readonly clientAnswer: number[];
}

const ROOT = new URL("../../", import.meta.url).pathname;
const POLICY = `${ROOT}policies/examples/approve-destructive`;
const SERVER = [
  `${ROOT}tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js`,
  "stdio",
];

type Json = Record<string, unknown>;

/** A waiter per key, resolved with the time the awaited thing arrived. */
class Arrivals<T> {
  readonly #seen = new Map<string, { at: number; value: T }>();
  readonly #waiting = new Map<string, (arrival: { at: number; value: T }) => void>();

  arrived(key: string, value: T): void {
    const arrival = { at: performance.now(), value };
    const waiter = this.#waiting.get(key);
    if (waiter) {
      this.#waiting.delete(key);
      waiter(arrival);
    } else this.#seen.set(key, arrival);
  }

  next(key: string, timeoutMs = 10_000): Promise<{ at: number; value: T }> {
    const seen = this.#seen.get(key);
    if (seen) {
      this.#seen.delete(key);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench approvals: no ${key}`)), timeoutMs);
      this.#waiting.set(key, (arrival) => {
        clearTimeout(timer);
        resolve(arrival);
      });
    });
  }
}

export async function measureApprovals(): Promise<ApprovalsResult> {
  const root = await Deno.makeTempDir({ prefix: "km-bench-approvals-" });
  const km = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", ...KM_DENO_FLAGS, `${ROOT}main.ts`, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  const ui = km("ui", "--port", "0", "--data-dir", root, "--log-dir", `${root}/logs`);
  ui.stdin.close();
  void ui.stdout.cancel();
  const monitor = km(
    "monitor",
    "--quiet",
    "--data-dir",
    root,
    "--log-dir",
    `${root}/logs`,
    "--policy",
    POLICY,
    "--",
    "node",
    ...SERVER,
  );
  void monitor.stderr.pipeTo(new WritableStream());
  const writer = monitor.stdin.getWriter();
  const send = (message: Json) =>
    writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  const fromClient = new Arrivals<Json>();
  const fromDashboard = new Arrivals<Json>();
  try {
    const base = new URL(await addressFrom(ui.stderr));
    const token = await tokenIn(root);
    const headers = { authorization: `Bearer ${token}` };
    void readEvents(await fetch(new URL("/api/events", base), { headers }), (event, data) => {
      if (event !== "approval") return;
      const command = (data.arguments as { command?: string })?.command ?? "";
      fromDashboard.arrived(command, data);
    });
    void readLines(monitor.stdout, (message) => {
      if (message.method === "elicitation/create") {
        const text = String((message.params as Json).message);
        const command = text.match(/"command":"([^"]+)"/)?.[1] ?? "";
        fromClient.arrived(command, message);
      } else if (message.id !== undefined) fromClient.arrived(`response ${message.id}`, message);
    });
    await send({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: { elicitation: {} },
        clientInfo: { name: "km-bench", version: "1.0.0" },
      },
    });
    await fromClient.next("response 0", 30_000);
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });

    const result: ApprovalsResult = {
      toDashboard: [],
      toClient: [],
      dashboardAnswer: [],
      clientAnswer: [],
    };
    for (let i = 0; i < APPROVALS_PLAN.rounds; i++) {
      const command = `rm -rf /tmp/km-bench-${i}`;
      const id = 100 + i;
      const t0 = performance.now();
      await send({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "run_command", arguments: { command } },
      });
      const [shown, asked] = await Promise.all([
        fromDashboard.next(command),
        fromClient.next(command),
      ]);
      result.toDashboard.push(shown.at - t0);
      result.toClient.push(asked.at - t0);
      const t1 = performance.now();
      if (i % 2 === 0) {
        const response = await fetch(
          new URL(`/api/approvals/${encodeURIComponent(String(shown.value.id))}`, base),
          {
            method: "POST",
            headers: { ...headers, origin: base.origin, "content-type": "application/json" },
            body: JSON.stringify({ answer: "approve" }),
          },
        );
        if (response.status !== 202) throw new Error(`approve: HTTP ${response.status}`);
        await response.body?.cancel();
      } else {
        await send({
          jsonrpc: "2.0",
          id: asked.value.id,
          result: { action: "accept", content: { scope: "once" } },
        });
      }
      const answered = await fromClient.next(`response ${id}`);
      (i % 2 === 0 ? result.dashboardAnswer : result.clientAnswer).push(answered.at - t1);
      // The question the other channel still showed is withdrawn; let it settle.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return result;
  } finally {
    await writer.close().catch(() => {});
    await monitor.status;
    ui.kill("SIGTERM");
    await ui.status;
    await Deno.remove(root, { recursive: true });
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, onMessage: (m: Json) => void) {
  const splitter = new LineSplitter();
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    splitter.push(chunk, (line) => onMessage(JSON.parse(decoder.decode(line))));
  }
}

async function readEvents(response: Response, onEvent: (event: string, data: Json) => void) {
  let text = "";
  for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    let end;
    while ((end = text.indexOf("\n\n")) !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = block.match(/^event: (.*)$/m)?.[1];
      const data = block.match(/^data: (.*)$/m)?.[1];
      if (event && data) onEvent(event, JSON.parse(data));
    }
  }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The approvals rows: p50 / p95 of each interval against the 200 ms target. */
export function approvalsRows(r: ApprovalsResult): string[][] {
  const row = (label: string, values: readonly number[]) => {
    const p50 = quantile(values, 0.5);
    const p95 = quantile(values, 0.95);
    return [
      label,
      `${p50.toFixed(1)} / ${p95.toFixed(1)} ms`,
      "< 200 ms",
      p95 < 200 ? "PASS" : "MISS",
    ];
  };
  return [
    row("call → dashboard (SSE approval event)", r.toDashboard),
    row("call → client (elicitation/create)", r.toClient),
    row("Approve in dashboard → call answered", r.dashboardAnswer),
    row("accept in client → call answered", r.clientAnswer),
  ];
}

export const APPROVALS_HEADERS = ["approvals (p50 / p95)", "value", "target", "result"];
