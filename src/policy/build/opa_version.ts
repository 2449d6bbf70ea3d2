/**
 * The OPA release km compiles policies with. The WebAssembly ABI, the list of built-ins OPA
 * implements natively in WASM and `policies/capabilities.json` all follow this pin, so it is
 * changed together with a regeneration of that file (`scripts/gen_capabilities.ts`).
 */
export const OPA_VERSION = "1.22.2";
