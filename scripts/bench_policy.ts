// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * How long one policy evaluation takes: a typical `tools/call` input (about 300 bytes of
 * arguments, inside the input document of docs/policy.md) against a policy of five rules, evaluated
 * 20,000 times after a warm-up. Prints p50/p99 in microseconds for the whole `evaluate` and for
 * its parts: serialising the input, the WebAssembly evaluation (write input, run, read the
 * result text) and parsing the result. Then km's own policies (the default and the examples,
 * with the framework) on the same call, given the input km builds for each: only the members
 * the policy reads.
 *
 *   deno run -A scripts/install_opa.ts && deno run -A scripts/bench_policy.ts
 */
import { readBundle } from "../src/policy/build/bundle.ts";
import { compilePolicy } from "../src/policy/build/compile.ts";
import { findOpa, systemOpaLookup } from "../src/policy/build/find_opa.ts";
import { WasmPolicy } from "../src/policy/wasm/wasm_host.ts";
import { loadDefaultPolicy } from "../src/policy/build/default_policy.ts";
import { type LoadedPolicy, loadPolicy } from "../src/policy/build/load_policy.ts";

const WARMUP = 5_000;
const RUNS = 20_000;

const POLICY = `package kilometers

deny contains $"tool {input.tool.name} is blocked" if input.tool.name in data.blocked_tools

deny contains "shell metacharacters in a path argument" if {
  some key, value in input.tool.arguments
  endswith(key, "path")
  regex.match("[;&|$\`]", value)
}

deny contains "a secret in the arguments" if {
  some value in input.tool.arguments
  is_string(value)
  regex.match("(sk|ghp|xox[bp])-[A-Za-z0-9_-]{16,}", value)
}

ask contains "writing outside the project needs approval" if {
  input.tool.name == "write_file"
  not startswith(input.tool.arguments.path, data.project_root)
}

ask contains "more than 30 calls of this tool in a minute" if {
  input.stats.tool_calls_last_minute > 30
}

decision := {"deny": deny, "ask": ask}
`;

const DATA = { blocked_tools: ["exec", "rm_rf"], project_root: "/home/me/project/" };

const args = {
  path: "/home/me/project/src/notes/meeting-2025-11-22.md",
  content: "Agenda: review the proxy's policy engine, decide on the audit-log retention, " +
    "and plan the dashboard. Action items: write the benchmark, measure p50 and p99 of each " +
    "evaluation.",
  encoding: "utf-8",
  create_dirs: true,
};
const message = {
  jsonrpc: "2.0",
  id: 42,
  method: "tools/call",
  params: { name: "write_file", arguments: args },
};
const INPUT = {
  direction: "client_to_server",
  kind: "request",
  method: "tools/call",
  id: 42,
  message,
  tool: {
    name: "write_file",
    arguments: args,
    definition: {
      name: "write_file",
      description: "Create or overwrite a file",
      inputSchema: { type: "object", properties: { path: { type: "string" } } },
    },
  },
  session: {
    id: "7d3f0a5e-1c2b-4c1e-9a43-0c2f3b1d9e77",
    server: { command: ["npx", "-y", "@modelcontextprotocol/server-filesystem"], name: "files" },
    client: { name: "claude-code", version: "2.0.0" },
    protocol_version: "2025-06-18",
  },
  stats: { tool_calls: 12, tool_calls_last_minute: 3 },
  mode: "enforce",
};

function percentiles(samples: number[]): string {
  const sorted = samples.slice().sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const us = (ms: number) => (ms * 1000).toFixed(1).padStart(7);
  return `p50 ${us(at(0.5))} µs   p99 ${us(at(0.99))} µs`;
}

function measure(label: string, fn: () => unknown): void {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples = new Array<number>(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    samples[i] = performance.now() - start;
  }
  console.log(`${label.padEnd(44)} ${percentiles(samples)}`);
}

const opa = findOpa(systemOpaLookup());
if (!opa) throw new Error("no opa found; run: deno run -A scripts/install_opa.ts");
const dir = await Deno.makeTempDir();
await Deno.writeTextFile(`${dir}/policy.rego`, POLICY);
await Deno.writeTextFile(`${dir}/data.json`, JSON.stringify(DATA));
const bundle = await readBundle(await compilePolicy([dir], { opa }));
await Deno.remove(dir, { recursive: true });
const policy = await WasmPolicy.load(bundle.wasm, bundle.data);
const eager = await WasmPolicy.load(bundle.wasm, bundle.data, { heapResetBytes: 0 });

const inputJson = JSON.stringify(INPUT);
const resultJson = policy.evaluateJson(inputJson);
console.log(
  `input ${inputJson.length} B (arguments ${JSON.stringify(args).length} B), ` +
    `result ${resultJson}`,
);
console.log(`policy ABI ${policy.abiVersion}, built-ins from km: ${policy.builtinNames}`);
console.log(`${RUNS} evaluations after ${WARMUP} of warm-up:`);
measure("evaluate(input): everything", () => policy.evaluate(INPUT));
measure("  JSON.stringify(input)", () => JSON.stringify(INPUT));
measure("  evaluateJson(text): write, run, read", () => policy.evaluateJson(inputJson));
measure("  JSON.parse(result)", () => JSON.parse(resultJson));
measure("evaluate({tool}): a smaller input", () => policy.evaluate({ tool: INPUT.tool }));
measure("evaluate(input), heap reset every time", () => eager.evaluate(INPUT));
console.log(
  `memory of the instance: ${policy.memoryBytes / 1024} KiB ` +
    `(${eager.memoryBytes / 1024} KiB with a reset before every evaluation)`,
);

console.log(`\nkm's policies on the same call, with the input km builds for each:`);
const examples = `${new URL("../policies/examples/", import.meta.url).pathname}`;
const loaded: LoadedPolicy[] = [await loadDefaultPolicy()];
for (const entry of [...Deno.readDirSync(examples)].sort((a, b) => a.name < b.name ? -1 : 1)) {
  if (entry.isDirectory) loaded.push(await loadPolicy(`${examples}${entry.name}`, { opa }));
}
const FULL = { version: 1, ...INPUT, id: "42", stats: { tools: {}, calls: 12, last_minute: 3 } };
for (const { policy, source, inputUse } of loaded) {
  const members = inputUse.members;
  const input = members === undefined
    ? FULL
    : Object.fromEntries(Object.entries(FULL).filter(([key]) => members.includes(key)));
  const text = JSON.stringify(input);
  const name = source.replace(examples, "");
  const reads = members === undefined ? "all the input" : `${members.length} members`;
  measure(`${name}, reads ${reads}`, () => policy.evaluateJson(text));
}
