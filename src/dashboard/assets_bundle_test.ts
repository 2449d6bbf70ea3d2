import { equal } from "node:assert/strict";
import { buildUi } from "../../scripts/build_ui.ts";
import { sha256Hex } from "../sha256.ts";
import { APP_CSS, APP_JS, ASSETS_SHA256 } from "./assets_bundle.ts";

const STALE = "ui/ changed since src/dashboard/assets_bundle.ts was built: run deno task build:ui";

Deno.test("the embedded dashboard assets are the ones ui/ builds (else run deno task build:ui)", async () => {
  const built = await buildUi();
  equal(built.sha256, ASSETS_SHA256, STALE);
  const committed = await Deno.readTextFile(new URL("./assets_bundle.ts", import.meta.url));
  // Compared as a flag: a diff of two 60 KB one-line strings helps nobody.
  equal(committed === built.module, true, `${STALE} (the module's text differs)`);
});

Deno.test("the embedded assets hash is the sha256 of APP_JS followed by APP_CSS", () => {
  equal(sha256Hex(new TextEncoder().encode(APP_JS + APP_CSS)), ASSETS_SHA256);
});

Deno.test("the embedded app is a browser bundle that renders into #app under a strict CSP", () => {
  equal(APP_JS.includes('getElementById("app")'), true);
  // No eval-like constructs: the page's CSP (script-src 'self') would refuse them.
  equal(/\beval\(|new Function\(/.test(APP_JS), false);
  equal(APP_JS.includes("import "), false, "the bundle must not import other modules");
});
