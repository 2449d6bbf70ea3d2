/**
 * Where the files of km's npm package sit beside its bundle (`lib/km.mjs`), shared by the bundle's
 * setup (package_setup.ts) and the script that packs them (scripts/pack.ts). No side effects:
 * scripts and tests import this, and must not point their own km at a package's files.
 */
import { OPA_VERSION } from "../../src/policy/build/opa_version.ts";

/** The files scripts/pack.ts puts beside the bundle, by name. */
export const PACKAGE_FILES = {
  worker: "opa_wasm_worker.mjs",
  wasm: `opa-${OPA_VERSION}.wasm`,
} as const;

/** A file URL as a path of this system (`os` is `Deno.build.os`). */
export function fileUrlToPath(url: URL, os: string = Deno.build.os): string {
  if (url.protocol !== "file:") throw new Error(`not a file URL: ${url.href}`);
  const path = decodeURIComponent(url.pathname);
  return os === "windows" ? path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\") : path;
}
