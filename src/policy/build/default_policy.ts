/**
 * km's default policy, embedded: it allows everything and labels and scores what tools do
 * (policies/default/policy.rego). Loaded when `km monitor` has no `--policy`; needs no `opa`.
 */
import { readBundle } from "./bundle.ts";
import {
  DEFAULT_POLICY_BUNDLE,
  DEFAULT_POLICY_INPUT_USE,
  DEFAULT_POLICY_SHA256,
} from "./default_policy_bundle.ts";
import type { LoadedPolicy } from "./load_policy.ts";
import { WasmPolicy } from "../wasm/wasm_host.ts";

/** The name the default policy has in records and messages. */
export const DEFAULT_POLICY_SOURCE = "(default)";

export async function loadDefaultPolicy(): Promise<LoadedPolicy> {
  const bytes = Uint8Array.fromBase64(DEFAULT_POLICY_BUNDLE);
  const { wasm, data } = await readBundle(bytes, "the embedded default policy");
  const policy = await WasmPolicy.load(wasm, data, { name: "the default policy" });
  return {
    policy,
    revision: DEFAULT_POLICY_SHA256.slice(0, 16),
    source: DEFAULT_POLICY_SOURCE,
    inputUse: DEFAULT_POLICY_INPUT_USE,
  };
}
