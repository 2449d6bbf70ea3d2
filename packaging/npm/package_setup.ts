/**
 * The first module of km's npm bundle (entry.ts imports it before main.ts): it points km's policy
 * compiler at the files the package ships beside the bundle, since a bundle has neither km's
 * source tree nor its `.tools`: the compiler's worker (bundled on its own) and OPA's compiler
 * built to WebAssembly, read only when a policy directory is compiled. `KM_OPA_WASM`, when set,
 * still names another module. And km's own children run with the launcher's `deno run` flags. Only the bundle may import this: it changes km's settings.
 */
import { OPA_WASM_ENV, useOpaWasm, useOpaWasmWorker } from "../../src/policy/build/opa_wasm.ts";
import { BUNDLE_RUN_FLAGS, useSelfRunFlags } from "../../src/runtime.ts";
import { fileUrlToPath, PACKAGE_FILES } from "./package_files.ts";

// km started again from the bundle (`km monitor --ui` starts `km ui`) runs as the launcher runs it.
useSelfRunFlags(BUNDLE_RUN_FLAGS);

useOpaWasmWorker(new URL(`./${PACKAGE_FILES.worker}`, import.meta.url));
if (!Deno.env.get(OPA_WASM_ENV)) {
  useOpaWasm(fileUrlToPath(new URL(`./${PACKAGE_FILES.wasm}`, import.meta.url)));
}
