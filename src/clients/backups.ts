/**
 * Backups beside a config file: `<file>.km-backup-<UTC time>`, the file's bytes before a wrap or
 * unwrap changed it. The time has no colons (Windows file names) and sorts as text, so the
 * newest backup is the last name. Pure: names only.
 */

const MARK = ".km-backup-";

/** The backup's path for `path` at `now`. */
export function backupPath(path: string, now: Date): string {
  return `${path}${MARK}${now.toISOString().replace(/[:.]/g, "-")}`;
}

/** True when `entry` (a name in the file's folder) is a backup of the file named `fileName`. */
export function isBackupOf(entry: string, fileName: string): boolean {
  return entry.startsWith(`${fileName}${MARK}`) && !entry.endsWith(".tmp");
}
