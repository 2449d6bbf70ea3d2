/**
 * Bundles km into the files of its npm package with `deno bundle` (esbuild underneath; no type
 * check): km and everything it imports (its npm packages, the embedded dashboard app and default
 * policy) into one `km.mjs`, and the policy compiler's worker into `opa_wasm_worker.mjs`, the
 * file packaging/npm/package_setup.ts names. Checks that neither file imports anything, since
 * the package must run without a network or a module cache.
 */
import { PACKAGE_FILES } from "../../packaging/npm/package_files.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The entries: the package's entry for km, and the worker. */
export const ENTRIES = {
  km: `${ROOT}packaging/npm/entry.ts`,
  worker: `${ROOT}src/policy/build/opa_wasm_worker.ts`,
} as const;

/** Writes `km.mjs` and the worker into `libDir`. */
export async function bundleKm(libDir: string): Promise<void> {
  await bundle(ENTRIES.km, `${libDir}/km.mjs`);
  await bundle(ENTRIES.worker, `${libDir}/${PACKAGE_FILES.worker}`);
}

async function bundle(entry: string, output: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "deno", "--output", output, entry],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno bundle ${entry} failed with exit code ${code}:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const imports = importsOf(await Deno.readTextFile(output));
  if (imports.length > 0) {
    throw new Error(
      `the bundle ${output} still imports ${imports.join(", ")}; it must import nothing`,
    );
  }
}

/**
 * The specifiers a bundle still imports (static or dynamic), by kind of statement. Lines of
 * comments are skipped (JSDoc types say `import('./index.js')`).
 */
export function importsOf(bundled: string): string[] {
  const code = bundled.split("\n").filter((line) => !/^\s*(?:\*|\/\/|\/\*)/.test(line)).join("\n");
  const found: string[] = [];
  const statements = /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/gm;
  const bare = /^\s*import\s*["']([^"']+)["']/gm;
  const dynamic = /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g;
  for (const pattern of [statements, bare, dynamic]) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}
