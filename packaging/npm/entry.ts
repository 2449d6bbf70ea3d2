/**
 * The entry of km's npm bundle (scripts/pack.ts bundles it into `lib/km.mjs`): the package's
 * settings first (package_setup.ts, imported before anything of km runs), then km's main. A
 * bundle keeps `import.meta.main` only for its entry, so this file calls main() itself.
 */
import "./package_setup.ts";
import { main } from "../../main.ts";

if (import.meta.main) await main();
