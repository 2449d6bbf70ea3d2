/** The dashboard's browser app, embedded in km (built by `deno task build:ui`). */
import type { Assets } from "./app.ts";
import { APP_CSS, APP_JS, ASSETS_SHA256 } from "./assets_bundle.ts";

export const ASSETS: Assets = { js: APP_JS, css: APP_CSS, hash: ASSETS_SHA256.slice(0, 16) };
