/**
 * The user's record of project km.jsonc files they trust (`km config trust`): each file's path
 * and the sha256 of the exact text trusted. Trust is of that content at that path: any edit, or
 * the same text in another folder (where its relative paths mean other files), is not trusted.
 * Kept in km's data folder, which a project file cannot move (workspace.ts). Pure: the caller
 * reads and writes the file.
 */
import { sha256Hex } from "../sha256.ts";

/** The file in km's data folder. */
export const TRUST_FILE = "trusted-configs.json";

export interface TrustStore {
  readonly version: 1;
  readonly files: Readonly<
    Record<string, { readonly sha256: string; readonly trusted_at: string }>
  >;
}

export const EMPTY_TRUST: TrustStore = { version: 1, files: {} };

/** `<dataDir>/trusted-configs.json`. */
export function trustStorePath(dataDir: string, os: string): string {
  return `${dataDir}${os === "windows" ? "\\" : "/"}${TRUST_FILE}`;
}

/** The sha256 (hex) of a config file's text, as km read it. */
export function contentHash(text: string): string {
  return sha256Hex(new TextEncoder().encode(text));
}

/**
 * The store in `text` (undefined: there is none yet). A damaged store trusts nothing: the
 * problem is returned for a warning, never an error, since km must still start.
 */
export function parseTrustStore(
  text: string | undefined,
  path: string,
): { store: TrustStore; problem?: string } {
  if (text === undefined) return { store: EMPTY_TRUST };
  try {
    const value = JSON.parse(text);
    const files = value?.files;
    const valid = value?.version === 1 && typeof files === "object" && files !== null &&
      Object.values(files).every((f) => typeof (f as { sha256?: unknown })?.sha256 === "string");
    if (valid) return { store: value as TrustStore };
  } catch {
    // Reported below.
  }
  return {
    store: EMPTY_TRUST,
    problem: `the record of trusted config files "${path}" is damaged; no project file is ` +
      "trusted until `km config trust` writes it again",
  };
}

/** Is `text`, read from `file`, the content the user trusted there? */
export function isTrusted(store: TrustStore, file: string, text: string): boolean {
  return store.files[file]?.sha256 === contentHash(text);
}

/** The store with `file` trusted as it reads now (`text`). */
export function withTrust(store: TrustStore, file: string, text: string, at: Date): TrustStore {
  return {
    version: 1,
    files: { ...store.files, [file]: { sha256: contentHash(text), trusted_at: at.toISOString() } },
  };
}

/** The store without `file`. */
export function withoutTrust(store: TrustStore, file: string): TrustStore {
  const files = { ...store.files };
  delete files[file];
  return { version: 1, files };
}
