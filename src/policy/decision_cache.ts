/**
 * Decisions remembered by their input, for policies whose answer can only depend on members of
 * the input that repeat from message to message. A policy that reads the message itself, its
 * id, the request a response answers or the session's counters sees something new every time,
 * and one that reads the clock may answer differently to the same input: neither is cached.
 */
import type { Decision } from "./decision.ts";
import type { InputUse } from "./build/input_use.ts";
import { trimOldest } from "../trim_oldest.ts";
import { KM_BUILTINS } from "./wasm/builtins.ts";

/** Members that differ for every message: an input holding any of them never repeats. */
const NEW_EVERY_TIME = new Set(["id", "message", "request", "stats"]);
/** Built-ins whose answer is not a function of their arguments (the clock, the file system). */
const NOT_PURE = new Set(
  Object.entries(KM_BUILTINS).filter(([, b]) => b.nondeterministic).map(([name]) => name),
);

/** Whether decisions of a policy that reads `use` and calls `builtins` may be remembered. */
export function cacheable(use: InputUse, builtins: readonly string[]): boolean {
  return use.members !== undefined && !use.members.some((m) => NEW_EVERY_TIME.has(m)) &&
    !builtins.some((b) => NOT_PURE.has(b));
}

export interface DecisionCacheOptions {
  /** Decisions kept; the oldest goes first. */
  readonly maxEntries: number;
  /** Inputs longer than this (in UTF-16 units of their JSON) are not remembered. */
  readonly maxInputChars: number;
}

export class DecisionCache {
  readonly #entries = new Map<string, Decision>();
  readonly #options: DecisionCacheOptions;

  constructor(options: DecisionCacheOptions = { maxEntries: 1024, maxInputChars: 4096 }) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The decision remembered for this input (as JSON text), if any. */
  get(inputJson: string): Decision | undefined {
    if (inputJson.length > this.#options.maxInputChars) return undefined;
    return this.#entries.get(inputJson);
  }

  /**
   * Remembers a decision; when full, the oldest one goes (Map keeps insertion order). A hit
   * does not move an entry: that would cost a delete and an insert on every message, while an
   * input still in use when it goes is only evaluated once more.
   */
  set(inputJson: string, decision: Decision): void {
    if (inputJson.length > this.#options.maxInputChars) return;
    // Shared by every message with this input from now on: nothing may change it.
    this.#entries.set(inputJson, deepFreeze(decision));
    trimOldest(this.#entries, this.#options.maxEntries);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
