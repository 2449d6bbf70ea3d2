/**
 * The rooms of src/ and which way they may lean on each other. Reads every non-test .ts file
 * under src/, takes its relative imports (static, re-exports and dynamic `import("…")`), and
 * builds the graph between top-level folders; the files directly under src/ are one node of
 * their own, "(root)", importable from anywhere. A folder's sub-folders belong to it (all of
 * src/policy/** is the node "policy"); inside policy, the sub-rooms wasm/ and build/ are checked
 * apart. Pure: it only reads the source tree.
 */
import { deepStrictEqual, fail } from "node:assert/strict";

const SRC = new URL("./", import.meta.url);
const ROOT = "(root)";

/**
 * Which folders each folder may import (the root files are allowed everywhere, and import no
 * folder). One way: jsonrpc ← relay ← approval ← policy ← monitor ← cli, with audit, config and
 * the dashboard's server (dashboard) on the side. The policy enforcer asks the approval broker (its
 * request and result types, the arguments hash, the outcome's effect); approval knows nothing
 * of policy. The dashboard relays approvals, so dashboard reads approval's shapes and link protocol.
 * Only cli, the composition of commands, reaches the dashboard server and monitor. wasi (a
 * WASI host, which runs OPA's compiler built to WebAssembly) is a leaf that only policy uses.
 * pins (definitions pinned per server, and the detectors) stands beside jsonrpc: policy reads
 * it for the input, monitor wires its store.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  [ROOT]: [],
  jsonrpc: [],
  wasi: [],
  relay: ["jsonrpc"],
  approval: ["jsonrpc", "relay"],
  pins: ["jsonrpc"],
  policy: ["jsonrpc", "relay", "approval", "wasi", "pins"],
  audit: ["jsonrpc", "relay"],
  config: ["jsonrpc", "relay", "audit"],
  dashboard: ["jsonrpc", "relay", "approval", "pins"],
  monitor: ["jsonrpc", "relay", "approval", "policy", "pins", "audit", "config"],
  clients: [],
  cli: [
    "jsonrpc",
    "relay",
    "approval",
    "policy",
    "audit",
    "config",
    "dashboard",
    "monitor",
    "clients",
    "pins",
  ],
};

/** One import that leaves its folder: `from` imports `to` (paths relative to src/). */
interface Crossing {
  readonly from: string;
  readonly to: string;
  readonly fromFolder: string;
  readonly toFolder: string;
}

const IMPORT_PATTERNS = [
  // import … from "x"; import type … from "x"; export … from "x" (braces may span lines)
  /^\s*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})?\s*from\s*["']([^"']+)["']/gm,
  // import "x";
  /^\s*import\s*["']([^"']+)["']/gm,
  // import("x")
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
];

function folderOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? ROOT : path.slice(0, slash);
}

function isTestFile(name: string): boolean {
  return name.endsWith("_test.ts");
}

async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      found.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (entry.isFile && entry.name.endsWith(".ts") && !isTestFile(entry.name)) {
      found.push(`${prefix}${entry.name}`);
    }
  }
  return found.sort();
}

/** Every relative import of a non-test file that lands in src/ (paths relative to src/). */
async function imports(): Promise<Crossing[]> {
  const result: Crossing[] = [];
  for (const from of await sourceFiles(SRC)) {
    const text = await Deno.readTextFile(new URL(from, SRC));
    const specifiers = new Set<string>();
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of text.matchAll(pattern)) specifiers.add(match[1]);
    }
    for (const specifier of specifiers) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const target = new URL(specifier, new URL(from, SRC)).href;
      if (!target.startsWith(SRC.href)) continue; // outside src/ (e.g. policies/*.json)
      const to = decodeURIComponent(target.slice(SRC.href.length));
      result.push({ from, to, fromFolder: folderOf(from), toFolder: folderOf(to) });
    }
  }
  return result;
}

/** Every relative import of a non-test file that lands in another folder of src/. */
async function crossings(): Promise<Crossing[]> {
  return (await imports()).filter((e) => e.fromFolder !== e.toFolder);
}

function show(c: Crossing): string {
  return `src/${c.from} imports src/${c.to}`;
}

/** A cycle of folders, as the crossings that close it, or undefined when there is none. */
function findCycle(edges: readonly Crossing[]): Crossing[] | undefined {
  const out = new Map<string, Crossing[]>();
  for (const e of edges) out.set(e.fromFolder, [...out.get(e.fromFolder) ?? [], e]);
  const state = new Map<string, "open" | "done">();
  const path: Crossing[] = [];
  const visit = (folder: string): Crossing[] | undefined => {
    state.set(folder, "open");
    for (const e of out.get(folder) ?? []) {
      if (state.get(e.toFolder) === "open") {
        const start = path.findIndex((p) => p.fromFolder === e.toFolder);
        return [...path.slice(start < 0 ? path.length : start), e];
      }
      if (state.get(e.toFolder) === undefined) {
        path.push(e);
        const cycle = visit(e.toFolder);
        if (cycle) return cycle;
        path.pop();
      }
    }
    state.set(folder, "done");
    return undefined;
  };
  for (const folder of [...out.keys()].sort()) {
    if (state.get(folder) === undefined) {
      const cycle = visit(folder);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

Deno.test("the imports between the folders of src/ form no cycle", async () => {
  const edges = await crossings();
  // Guard against a reader that finds nothing: the relay is built on jsonrpc.
  if (!edges.some((e) => e.fromFolder === "relay" && e.toFolder === "jsonrpc")) {
    fail("no import of src/jsonrpc from src/relay was found: the import reader is broken");
  }
  const cycle = findCycle(edges);
  if (cycle) {
    const folders = [...cycle.map((e) => e.fromFolder), cycle[0].fromFolder].join(" → ");
    fail(`a cycle between folders: ${folders}\n  ${cycle.map(show).join("\n  ")}`);
  }
});

Deno.test("each folder of src/ imports only the folders it is allowed to", async () => {
  const edges = await crossings();
  const offending = edges
    .filter((e) => e.toFolder !== ROOT)
    .filter((e) => !(ALLOWED[e.fromFolder] ?? []).includes(e.toFolder))
    .map((e) =>
      ALLOWED[e.fromFolder] === undefined
        ? `${show(e)}: src/${e.fromFolder} is a new folder, add it to ALLOWED`
        : `${show(e)}: ${e.fromFolder} may not import ${e.toFolder}`
    );
  deepStrictEqual(offending, []);
});

Deno.test("the allowed-imports table leans one way", () => {
  const edges: Crossing[] = Object.entries(ALLOWED).flatMap(([from, tos]) =>
    tos.map((to) => ({ from, to, fromFolder: from, toFolder: to }))
  );
  const cycle = findCycle(edges);
  if (cycle) fail(`ALLOWED has a cycle: ${cycle.map((e) => e.fromFolder).join(" → ")}`);
});

/**
 * The sub-rooms of src/policy/: `wasm/` (the OPA WebAssembly host and km's built-ins), `build/`
 * (from sources to a loaded policy: opa, compiling, bundles, `km policy test`, the embedded
 * default policy) and the decision path in src/policy/ itself (enforcer, integrity, input,
 * decision, cache, session state, transforms, reloader). One way: wasm ← build ← decision path.
 */
function policyRoomOf(path: string): "wasm" | "build" | "decision path" | undefined {
  if (!path.startsWith("policy/")) return undefined;
  if (path.startsWith("policy/wasm/")) return "wasm";
  if (path.startsWith("policy/build/")) return "build";
  return "decision path";
}

const POLICY_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  wasm: [],
  build: ["wasm"],
  "decision path": ["wasm", "build"],
};

/**
 * Known imports against POLICY_ALLOWED, each to be removed rather than added to. `km policy
 * test` compares a case's expected decision with the policy's, so its case files are typed by
 * the decision's shape (type-only: `Action`, `Decision`).
 */
const POLICY_EXCEPTIONS: readonly string[] = [
  "src/policy/build/cases.ts imports src/policy/decision.ts",
];

Deno.test("inside src/policy/, wasm/ imports only itself and build/ does not import the decision path", async () => {
  const edges = (await imports()).filter((e) =>
    policyRoomOf(e.from) !== undefined && policyRoomOf(e.to) !== undefined
  );
  // Guard against a layout that no longer matches: the compiler driver loads into the host.
  if (
    !edges.some((e) => e.from === "policy/build/load_policy.ts" && policyRoomOf(e.to) === "wasm")
  ) {
    fail("no import of src/policy/wasm/ from src/policy/build/load_policy.ts was found");
  }
  const offending = edges
    .filter((e) => policyRoomOf(e.from) !== policyRoomOf(e.to))
    .filter((e) => !POLICY_ALLOWED[policyRoomOf(e.from)!].includes(policyRoomOf(e.to)!))
    .map(show)
    .filter((line) => !POLICY_EXCEPTIONS.includes(line));
  deepStrictEqual(offending, []);
  const stale = POLICY_EXCEPTIONS.filter((line) => !edges.map(show).includes(line));
  deepStrictEqual(stale, [], "exceptions that no longer occur: remove them");
});
