/** The package's file names and the file-URL-to-path conversion its setup relies on. */
import { equal, throws } from "node:assert/strict";
import { fileUrlToPath, PACKAGE_FILES } from "./package_files.ts";
import { OPA_VERSION } from "../../src/policy/build/opa_version.ts";

Deno.test("the wasm beside the bundle is named for the pinned OPA", () => {
  equal(PACKAGE_FILES.wasm, `opa-${OPA_VERSION}.wasm`);
});

Deno.test("fileUrlToPath gives the path of each system", () => {
  const url = new URL("file:///usr/lib/node_modules/kilometers/lib/opa%201.wasm");
  equal(fileUrlToPath(url, "linux"), "/usr/lib/node_modules/kilometers/lib/opa 1.wasm");
  equal(
    fileUrlToPath(new URL("file:///C:/Users/me/AppData/Roaming/npm/km.wasm"), "windows"),
    "C:\\Users\\me\\AppData\\Roaming\\npm\\km.wasm",
  );
  throws(() => fileUrlToPath(new URL("https://example.com/x.wasm"), "linux"), /not a file URL/);
});
