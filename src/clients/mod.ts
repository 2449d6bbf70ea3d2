/**
 * What the wrap commands use of this room, in one module: src/cli/wrap_command.ts imports it
 * dynamically, so the parsers it brings (jsonc-parser, toml-eslint-parser) are loaded by
 * `km wrap` and `km unwrap` only, never by `km monitor`.
 */
export { backupPath, isBackupOf } from "./backups.ts";
export { CLIENT_NAMES, clientNamed, CLIENTS, configFiles } from "./clients.ts";
export { unifiedDiff } from "./diff.ts";
export { managedSnippet } from "./managed.ts";
export { readerFor } from "./readers.ts";
export { splitCommand } from "./sites.ts";
export { restore, statusOf, tryRead, unwrapText, wrapText } from "./wrap.ts";
