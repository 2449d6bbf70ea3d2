/**
 * The package.json of km's npm package, `kilometers`: its one command `km` (the Node.js launcher,
 * packaging/npm/bin/km.cjs), its install script (bin/install.cjs, which points `km` at Deno
 * directly where it can) and its one dependency, the `deno` npm package at the pinned release,
 * which brings Deno's executable for the platform through its optional dependencies.
 */
import { DENO_PIN, VERSION } from "../../src/version.ts";

/** The package's name on npm. */
export const PACKAGE_NAME = "kilometers";

/** The launcher and the bundle, as paths inside the package. */
export const LAUNCHER = "bin/km.cjs";
export const INSTALL_SCRIPT = "bin/install.cjs";
export const BUNDLE = "lib/km.mjs";

/** The manifest for km `version` on Deno `deno`. */
export function manifest(version: string = VERSION, deno: string = DENO_PIN): object {
  return {
    name: PACKAGE_NAME,
    version,
    description: "km: a security proxy for MCP servers (audit log, Rego policies, approvals, " +
      "dashboard)",
    keywords: ["mcp", "model-context-protocol", "security", "proxy", "audit", "rego", "opa"],
    bin: { km: LAUNCHER },
    scripts: { postinstall: `node ${INSTALL_SCRIPT}` },
    files: ["bin/", "lib/", "README.md"],
    engines: { node: ">=18" },
    dependencies: { deno },
  };
}

/** The package's file name as `npm pack` writes it. */
export function tarballName(version: string = VERSION): string {
  return `${PACKAGE_NAME}-${version}.tgz`;
}
