// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * Installs what tests, the demo and the benchmark need and that Deno does not fetch by itself:
 * the real MCP servers from npm (tests/peers, pinned by its package-lock.json), km's OPA compiler
 * built to WebAssembly (scripts/build_opa_wasm.ts, with Go into .tools/opa-wasm), the real `opa`
 * (scripts/install_opa.ts, built with Go into .tools/bin; the tests compare km's compiler with
 * it), and the test servers on the official Python and Go MCP SDKs (scripts/install_sdk_peers.ts,
 * into .tools). Idempotent.
 */
import { buildOpaWasm } from "./build_opa_wasm.ts";
import { installOpa } from "./install_opa.ts";
import { exists, installSdkPeers } from "./install_sdk_peers.ts";

const root = new URL("..", import.meta.url).pathname;
const peers = `${root}tests/peers`;

async function installPeers(): Promise<void> {
  const marker = `${peers}/node_modules/.package-lock.json`;
  if (await exists(marker)) {
    const [lock, installed] = await Promise.all([
      Deno.stat(`${peers}/package-lock.json`),
      Deno.stat(marker),
    ]);
    if ((installed.mtime?.getTime() ?? 0) >= (lock.mtime?.getTime() ?? 0)) return;
  }
  console.error("setup: installing MCP test servers (npm ci in tests/peers)...");
  const npm = Deno.build.os === "windows" ? "npm.cmd" : "npm";
  const { code } = await new Deno.Command(npm, {
    args: ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    cwd: peers,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`npm ci in ${peers} failed with exit code ${code}`);
}

await installPeers();
// The demo compiles no policy and runs no SDK test server: `--no-opa` spares it the Go builds
// and the Python virtualenvs. The benchmark compiles policies but runs no SDK test server and
// compares nothing with opa: `--compiler-only` builds km's policy compiler alone.
if (Deno.args.includes("--compiler-only")) {
  await buildOpaWasm();
} else if (!Deno.args.includes("--no-opa")) {
  await buildOpaWasm();
  await installOpa();
  await installSdkPeers();
}
