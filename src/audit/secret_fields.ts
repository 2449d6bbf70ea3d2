/**
 * Which field names hold secrets. A name is compared without letter case, `-` or `_`
 * (`accessToken`, `access_token` and `ACCESS-TOKEN` are one name, so a naming convention
 * cannot hide a field), and is secret when it is on the list or ends with a secret ending.
 */

export interface SecretFieldNames {
  /** Names whose value is a secret. */
  readonly exact: readonly string[];
  /** Endings that make a name secret (`githubToken`...). */
  readonly endings: readonly string[];
  /** Names with a secret ending that are not secrets (`progressToken`...). */
  readonly exceptions: readonly string[];
}

/** Names longer than this are not remembered (a peer could send endless new huge names). */
const MAX_CACHED_NAME = 256;
/** Names remembered at most; past this, names are checked each time. */
const MAX_CACHED = 10_000;

export class SecretFields {
  readonly #exact: ReadonlySet<string>;
  readonly #endings: readonly string[];
  readonly #exceptions: ReadonlySet<string>;
  /** Verdicts of names seen before: objects repeat the same few names. */
  readonly #seen = new Map<string, boolean>();

  constructor(names: SecretFieldNames) {
    this.#exact = new Set(names.exact.map(normaliseFieldName));
    this.#endings = names.endings.map(normaliseFieldName);
    this.#exceptions = new Set(names.exceptions.map(normaliseFieldName));
  }

  /** Whether the value of a field called `name` is a secret. */
  has(name: string): boolean {
    const known = this.#seen.get(name);
    if (known !== undefined) return known;
    const secret = this.#check(normaliseFieldName(name));
    if (name.length <= MAX_CACHED_NAME && this.#seen.size < MAX_CACHED) {
      this.#seen.set(name, secret);
    }
    return secret;
  }

  #check(normal: string): boolean {
    if (this.#exact.has(normal)) return true;
    if (this.#exceptions.has(normal)) return false;
    return this.#endings.some((ending) => normal.endsWith(ending));
  }
}

/** `Access-Token` → `accesstoken`: the form names are compared in. */
export function normaliseFieldName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}
