/**
 * The dashboard's part of `deno task bench`: `km ui` over a log directory of 100,000 records
 * (100 sessions of tools/call traffic, bodies included): how long until the first view is
 * served, how much memory it holds, and how long a new record takes to reach a browser.
 */
import { KM_DENO_FLAGS } from "../../src/runtime.ts";

export const DASHBOARD_PLAN = { sessions: 100, recordsPerSession: 1000 };

export interface DashboardResult {
  readonly records: number;
  readonly bytes: number;
  /** From spawning `km ui` to its address on stderr (indexing included). */
  readonly readyMs: number;
  /** From spawning to the page, the app and its first four API answers. */
  readonly firstViewMs: number;
  /** The slowest of those API answers, alone. */
  readonly slowestApiMs: number;
  /** From appending a record to a log file to its server-sent event. */
  readonly liveMs: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Writes the log directory: sessions of initialize, tool calls and their answers. */
export async function writeLogs(dir: string): Promise<{ records: number; bytes: number }> {
  const { sessions, recordsPerSession } = DASHBOARD_PLAN;
  let records = 0;
  let bytes = 0;
  const t0 = Date.parse("2026-11-01T00:00:00Z");
  for (let s = 0; s < sessions; s++) {
    const id = `${String(s).padStart(8, "0")}-0000-4000-8000-000000000000`;
    const start = t0 + s * 3_600_000;
    const prefix = (seq: number, ms: number) =>
      `{"schema":"km.audit/v1","session_id":"${id}","seq":${seq},"timestamp":"${
        new Date(start + ms).toISOString()
      }"`;
    const lines = [
      `${prefix(1, 0)},"type":"lifecycle","event":"start","km":{"version":"0.1.0","pid":1},` +
      `"server":{"name":"server-${s % 7}","command":["node","server-${s % 7}.js"],"cwd":"/"}}`,
    ];
    let seq = 2;
    for (; lines.length < recordsPerSession - 1; seq += 2) {
      const n = seq / 2;
      const tool = ["read_file", "search", "echo", "run_shell", "fetch"][n % 5];
      const deny = tool === "run_shell" && n % 3 === 0;
      const decision = `"result":{"action":"${deny ? "deny" : "allow"}","applied":"${
        deny ? "block" : "forward"
      }","reasons":[${deny ? '"shell commands need approval"' : ""}],"rules":[],"risk":${
        tool === "run_shell" ? 8 : 0
      }},"revision":"0123456789abcdef","metrics":{"eval_us":9}`;
      lines.push(
        `${
          prefix(seq, n * 100)
        },"type":"message","direction":"client_to_server","kind":"request","method":"tools/call","id":"${n}","tool":"${tool}","size":310,"forwarded":${!deny},${decision},` +
          `"message":{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"${tool}","arguments":{"path":"/srv/project/src/module_${n}.ts","query":"${
            "lorem ipsum ".repeat(12)
          }"}}}}`,
      );
      if (deny) continue;
      lines.push(
        `${
          prefix(seq + 1, n * 100 + 7)
        },"type":"message","direction":"server_to_client","kind":"response","method":"tools/call","id":"${n}","tool":"${tool}","request_seq":${seq},"latency_ms":${
          (3 + (n % 40) / 3).toFixed(3)
        },"size":640,"forwarded":true,${decision.replace('"deny"', '"allow"')},` +
          `"message":{"jsonrpc":"2.0","id":${n},"result":{"content":[{"type":"text","text":"${
            "result text ".repeat(45)
          }"}]}}}`,
      );
    }
    lines.push(
      `${
        prefix(seq, 200_000)
      },"type":"lifecycle","event":"shutdown","exit_code":0,"reason":"exited with code 0"}`,
    );
    const text = lines.join("\n") + "\n";
    records += lines.length;
    bytes += text.length;
    await Deno.writeTextFile(
      `${dir}/2026-11-01T00-00-00Z_server-${s % 7}_${id.slice(0, 8)}.jsonl`,
      text,
    );
  }
  return { records, bytes };
}

export async function measureDashboard(): Promise<DashboardResult> {
  const root = await Deno.makeTempDir({ prefix: "km-bench-ui-" });
  const logs = `${root}/logs`;
  await Deno.mkdir(logs);
  const { records, bytes } = await writeLogs(logs);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...KM_DENO_FLAGS,
      `${ROOT}main.ts`,
      "ui",
      "--port",
      "0",
      "--log-dir",
      logs,
      "--data-dir",
      root,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const url = await addressFrom(child.stderr);
    const readyMs = performance.now() - started;
    const base = new URL(url);
    const headers = { authorization: `Bearer ${await tokenIn(root)}` };
    const timed = async (path: string) => {
      const t = performance.now();
      const response = await fetch(new URL(path, base), { headers });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      await response.arrayBuffer();
      return performance.now() - t;
    };
    await Promise.all(["/", "/assets/app.js", "/assets/app.css"].map(timed));
    const apis = await Promise.all(
      ["/api/records?limit=200", "/api/sessions", "/api/stats", "/api/policy"].map(timed),
    );
    const firstViewMs = performance.now() - started;
    const liveMs = await measureLive(base, headers, logs);
    const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
    const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1]);
    return {
      records,
      bytes,
      readyMs,
      firstViewMs,
      slowestApiMs: Math.max(...apis),
      liveMs,
      rssMb: kb("VmRSS") / 1024,
      peakRssMb: kb("VmHWM") / 1024,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(root, { recursive: true });
  }
}

/** Appends a record and times its arrival on the event stream (median of 5). */
async function measureLive(
  base: URL,
  headers: Record<string, string>,
  logs: string,
): Promise<number> {
  const response = await fetch(new URL("/api/events", base), { headers });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended");
      text += value;
    }
  };
  await until("event: hello");
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const marker = `live-marker-${i}`;
    const line = JSON.stringify({
      schema: "km.audit/v1",
      session_id: "ffffffff-0000-4000-8000-000000000000",
      seq: i + 1,
      timestamp: new Date().toISOString(),
      type: "stderr",
      text: marker,
    });
    const t = performance.now();
    await Deno.writeTextFile(`${logs}/live.jsonl`, line + "\n", { append: true });
    await until(marker);
    times.push(performance.now() - t);
  }
  await reader.cancel();
  return times.sort((a, b) => a - b)[2];
}

export async function addressFrom(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`km ui exited before printing its address:\n${text}`);
    text += value;
    const url = text.match(/dashboard: (http:\/\/\S+)/)?.[1];
    if (url) {
      // Keep draining km ui's stderr so it never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return url;
    }
  }
}

/** The dashboard's access token, from the discovery file in its data folder (never printed). */
export async function tokenIn(dataDir: string): Promise<string> {
  const { token } = JSON.parse(await Deno.readTextFile(`${dataDir}/ui.json`));
  if (typeof token !== "string") throw new Error(`no token in ${dataDir}/ui.json`);
  return token;
}

/** The dashboard's rows: what was measured, and the targets of the issue. */
export function dashboardRows(r: DashboardResult): string[][] {
  const ms = (n: number) => `${Math.round(n)} ms`;
  return [
    [
      "log directory",
      `${r.records.toLocaleString("en-US")} records, ${(r.bytes / 1048576).toFixed(0)} MiB`,
      "",
      "",
    ],
    ["km ui ready (indexed)", ms(r.readyMs), "", ""],
    [
      "first view (page, app, 4 API calls)",
      ms(r.firstViewMs),
      "≤ 2000 ms",
      r.firstViewMs <= 2000 ? "PASS" : "MISS",
    ],
    ["slowest first API answer", ms(r.slowestApiMs), "", ""],
    [
      "new record to browser (SSE), p50 of 5",
      ms(r.liveMs),
      "≤ 500 ms",
      r.liveMs <= 500 ? "PASS" : "MISS",
    ],
    ["RSS after first view / peak", `${r.rssMb.toFixed(0)} / ${r.peakRssMb.toFixed(0)} MB`, "", ""],
  ];
}

export const DASHBOARD_HEADERS = ["dashboard", "value", "target", "result"];
