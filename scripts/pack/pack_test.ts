/**
 * The packaging's pure parts: the launcher agrees with km's flags and Deno pin, the manifest
 * names the `km` command and the pinned `deno`, and the bundle check finds what a bundle still
 * imports. The package itself is built, installed and run by tests/package_e2e_test.ts.
 */
import { deepEqual, equal, throws } from "node:assert/strict";
import { checkLauncher } from "../pack.ts";
import { importsOf } from "./bundle.ts";
import { LAUNCHER, manifest, tarballName } from "./manifest.ts";
import { KM_DENO_FLAGS } from "../../src/runtime.ts";
import { DENO_PIN, VERSION } from "../../src/version.ts";

const launcher = await Deno.readTextFile(
  new URL(`../../packaging/npm/${LAUNCHER}`, import.meta.url),
);

Deno.test("the launcher passes KM_DENO_FLAGS and names the pinned Deno", () => {
  checkLauncher(launcher);
  const [, v8Flags] = KM_DENO_FLAGS;
  throws(
    () => checkLauncher(launcher.replace(JSON.stringify(v8Flags), '"--v8-flags="')),
    /v8-flags/,
  );
  throws(
    () => checkLauncher(launcher.replace(`"${DENO_PIN}";`, '"2.0.0";')),
    new RegExp(`Deno ${DENO_PIN.replaceAll(".", "\\.")}`),
  );
});

Deno.test("the manifest: the km command, the pinned deno, km's version", () => {
  const m = manifest() as Record<string, unknown>;
  equal(m.name, "kilometers");
  equal(m.version, VERSION);
  deepEqual(m.bin, { km: LAUNCHER });
  deepEqual(m.scripts, { postinstall: "node bin/install.cjs" });
  deepEqual(m.dependencies, { deno: DENO_PIN });
  equal(tarballName(), `kilometers-${VERSION}.tgz`);
});

Deno.test("importsOf finds what a bundle still imports, not what its comments say", () => {
  const bundle = [
    'import { a } from "npm:hono";',
    'export { b } from "./b.js";',
    'import "./side.js";',
    "const c = await import('npm:preact');",
    " * @param {import('./index.js').RE2JS} pattern",
    "// import x from './commented.js'",
    'const message = `from "${dir}"`;',
  ].join("\n");
  deepEqual(importsOf(bundle), ["npm:hono", "./b.js", "./side.js", "npm:preact"]);
  deepEqual(importsOf("var x = 1;\n"), []);
});
