// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * `deno task pack`: km's npm package, `dist/kilometers-<version>.tgz`, the way km is installed
 * (`npm install -g kilometers`; docs/install.md). It holds the Node.js launcher `km`
 * (packaging/npm/bin/km.cjs) and its install script (bin/install.cjs), km bundled into one file
 * with everything it imports, the policy compiler's worker, and OPA's compiler built to
 * WebAssembly (built with Go first when missing, by scripts/build_opa_wasm.ts); Deno itself
 * comes from the `deno` npm package it depends on.
 * `--install` also installs it (`npm install -g`, `deno task install`); `--out DIR` packs elsewhere.
 */
import { DENO_PIN, VERSION } from "../src/version.ts";
import { BUNDLE_RUN_FLAGS, KM_DENO_FLAGS } from "../src/runtime.ts";
import { opaWasmPath } from "../src/policy/build/opa_wasm.ts";
import { buildOpaWasm } from "./build_opa_wasm.ts";
import { PACKAGE_FILES } from "../packaging/npm/package_files.ts";
import { bundleKm } from "./pack/bundle.ts";
import { INSTALL_SCRIPT, LAUNCHER, manifest, tarballName } from "./pack/manifest.ts";
import { npmInstallGlobal, npmPack, type Packed } from "./pack/npm.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PACKAGING = `${ROOT}packaging/npm`;

/** What `pack` made: the tarball's path and what npm reported of it. */
export interface PackResult extends Packed {
  readonly path: string;
}

/**
 * Builds the package into `outDir` (default `dist/`). The OPA compiler's module is taken from
 * `.tools` (built when missing or stale, which needs Go), unless `wasm` names one.
 */
export async function pack(
  options: { outDir?: string; wasm?: string; log?: (line: string) => void } = {},
): Promise<PackResult> {
  const log = options.log ?? ((line: string) => console.error(`pack: ${line}`));
  if (Deno.version.deno !== DENO_PIN) {
    throw new Error(`km is bundled with Deno ${DENO_PIN}; this is ${Deno.version.deno}`);
  }
  const launcher = await Deno.readTextFile(`${PACKAGING}/${LAUNCHER}`);
  checkLauncher(launcher);
  const outDir = options.outDir ?? `${ROOT}dist`;
  const wasm = options.wasm ??
    (await Deno.stat(opaWasmPath()).then(() => false, () => true)
      ? await buildOpaWasm()
      : opaWasmPath());
  const staging = await Deno.makeTempDir({ prefix: "km-pack-" });
  try {
    await Deno.mkdir(`${staging}/bin`);
    await Deno.mkdir(`${staging}/lib`);
    await Deno.writeTextFile(`${staging}/${LAUNCHER}`, launcher, { mode: 0o755 });
    await Deno.copyFile(`${PACKAGING}/${INSTALL_SCRIPT}`, `${staging}/${INSTALL_SCRIPT}`);
    log("bundling km and the policy compiler's worker (deno bundle)");
    await bundleKm(`${staging}/lib`);
    await Deno.copyFile(wasm, `${staging}/lib/${PACKAGE_FILES.wasm}`);
    await Deno.chmod(`${staging}/lib/${PACKAGE_FILES.wasm}`, 0o644);
    await Deno.copyFile(`${PACKAGING}/README.md`, `${staging}/README.md`);
    await Deno.writeTextFile(
      `${staging}/package.json`,
      `${JSON.stringify(manifest(), null, 2)}\n`,
    );
    await Deno.mkdir(outDir, { recursive: true });
    log("npm pack");
    const packed = await npmPack(staging, outDir);
    if (packed.filename !== tarballName()) {
      throw new Error(`npm pack wrote ${packed.filename}; expected ${tarballName()}`);
    }
    return { ...packed, path: `${outDir.replace(/\/+$/, "")}/${packed.filename}` };
  } finally {
    await Deno.remove(staging, { recursive: true });
  }
}

/**
 * The launcher starts Deno itself, so it spells km's flags and the Deno pin out; they must be
 * those of src/runtime.ts and src/version.ts.
 */
export function checkLauncher(launcher: string): void {
  for (const flag of KM_DENO_FLAGS) {
    if (!launcher.includes(JSON.stringify(flag))) {
      throw new Error(`${LAUNCHER} does not pass ${flag} (src/runtime.ts, KM_DENO_FLAGS)`);
    }
  }
  const runFlags = `const RUN_FLAGS = [${
    BUNDLE_RUN_FLAGS.map((f) => JSON.stringify(f)).join(", ")
  }];`;
  if (!launcher.includes(runFlags)) {
    throw new Error(`${LAUNCHER} must run the bundle with ${runFlags} (src/runtime.ts)`);
  }
  if (!launcher.includes(`const DENO_VERSION = ${JSON.stringify(DENO_PIN)};`)) {
    throw new Error(`${LAUNCHER} must name Deno ${DENO_PIN} (src/version.ts, DENO_PIN)`);
  }
}

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const args = [...Deno.args];
  const at = args.indexOf("--out");
  const outDir = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const install = args.includes("--install");
  const unknown = args.filter((arg) => arg !== "--install");
  if (unknown.length > 0 || (at >= 0 && !outDir)) {
    throw new Error(`usage: deno task pack [--out DIR] [--install]; not ${unknown.join(" ")}`);
  }
  const started = performance.now();
  const packed = await pack({ outDir });
  console.error(
    `pack: wrote ${packed.path}: km ${VERSION}, ${(packed.size / MiB).toFixed(1)} MiB ` +
      `(${(packed.unpackedSize / MiB).toFixed(1)} MiB unpacked, ${packed.entryCount} files) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (install) {
    console.error(`pack: npm install -g ${packed.path}`);
    await npmInstallGlobal(packed.path);
    console.error(`pack: installed; try: km --version`);
  }
}

if (import.meta.main) await main();
