/**
 * Display formatting for the dashboard: durations, sizes, times, token estimates and JSON
 * previews. Pure (the clock is passed in), so every case is unit-tested.
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Bytes for people: `812 B`, `1.4 KiB`, `12 MiB` (binary units, as the audit log's limits). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "";
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** A latency or duration in milliseconds: `0.42 ms`, `12.3 ms`, `842 ms`, `3.2 s`, `4m 05s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalSeconds = Math.round(s);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}m ${String(sec).padStart(2, "0")}s`;
}

/** Microseconds (policy evaluation time): `9 µs`, `1.2 ms`. */
export function formatMicros(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return "";
  if (us < 1000) return `${us < 10 ? Number(us.toFixed(1)) : Math.round(us)} µs`;
  return formatDuration(us / 1000);
}

/** How long before `now` `ts` was: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function relativeTime(ts: number, now: number): string {
  const diff = now - ts;
  if (diff < 0) return diff > -5000 ? "just now" : "in the future";
  const s = Math.floor(diff / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** `n` with leading zeros to `width` digits. */
export function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** A local wall-clock time with milliseconds, `14:03:07.412`, for dense tables. */
export function formatClock(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${
    pad(d.getMilliseconds(), 3)
  }`;
}

/** A feed row's time: `14:03:07.412` today, `11-21 14:03:07` on another day. */
export function formatRowTime(ts: number, now: number): string {
  const d = new Date(ts);
  const today = new Date(now);
  if (
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate()
  ) return formatClock(ts);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}`;
}

/** A local date and time, `2026-11-22 14:03:07`. */
export function formatDateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}`;
}

/** A time that is short when it is today (`14:03:07`) and dated otherwise (`Nov 21 14:03`). */
export function formatWhen(ts: number, now: number): string {
  const d = new Date(ts);
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  if (sameDay) return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const month = MONTHS[d.getMonth()];
  const year = d.getFullYear() === today.getFullYear() ? "" : ` ${d.getFullYear()}`;
  return `${month} ${d.getDate()}${year} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A compact count: `812`, `1.2k`, `34k`, `1.5M`. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1_000_000) {
    const k = n / 1000;
    return `${Math.abs(k) < 10 ? trimZero(k.toFixed(1)) : Math.round(k)}k`;
  }
  const m = n / 1_000_000;
  return `${Math.abs(m) < 10 ? trimZero(m.toFixed(1)) : Math.round(m)}M`;
}

function trimZero(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** The context-window cost estimate: `≈1.2k tokens`. */
export function formatTokens(tokens: number | undefined): string {
  if (tokens === undefined || !Number.isFinite(tokens)) return "";
  return `≈${formatCompact(tokens)}`;
}

/** A ratio as a percentage: `0%`, `0.4%`, `12%`; empty when there is nothing to divide. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return "";
  const p = (part / whole) * 100;
  if (p === 0) return "0%";
  if (p < 10) return `${trimZero(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * A one-line JSON preview of a value, at most `max` characters: `{"path":"/tmp/x","mode":"r"}`.
 * Strings show unquoted at the top level, so a text result reads as text.
 */
export function jsonPreview(value: unknown, max = 120): string {
  if (value === undefined) return "";
  if (typeof value === "string") return truncate(value.replace(/\s+/g, " "), max);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(text, max);
}

/** The direction as an arrow and words: client→server is a request going out to the server. */
export function directionLabel(direction: string | undefined): { arrow: string; text: string } {
  if (direction === "client_to_server") return { arrow: "→", text: "client → server" };
  if (direction === "server_to_client") return { arrow: "←", text: "server → client" };
  return { arrow: "", text: "" };
}

/** A policy revision (16 hex digits) shortened for tables, `3f9c2a1b`. */
export function shortRevision(revision: string | undefined): string {
  return revision ? revision.slice(0, 8) : "";
}

/** A session id shortened as in log file names: its first 8 characters. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
