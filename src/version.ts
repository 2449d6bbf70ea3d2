/** km's release version, kept equal to `version` in deno.json (checked by a test). */
export const VERSION = "0.1.0";

/** The Deno release km is developed, tested and compiled with. */
export const DENO_PIN = "2.9.6";
