import { equal } from "node:assert/strict";
import {
  directionLabel,
  formatBytes,
  formatClock,
  formatCompact,
  formatCount,
  formatDateTime,
  formatDuration,
  formatMicros,
  formatPercent,
  formatRowTime,
  formatTokens,
  formatWhen,
  jsonPreview,
  relativeTime,
  shortRevision,
  truncate,
} from "./format.ts";

Deno.test("formatBytes() uses binary units with one decimal below ten", () => {
  equal(formatBytes(0), "0 B");
  equal(formatBytes(812), "812 B");
  equal(formatBytes(1024), "1.0 KiB");
  equal(formatBytes(1536), "1.5 KiB");
  equal(formatBytes(20 * 1024), "20 KiB");
  equal(formatBytes(64 * 1024 * 1024), "64 MiB");
  equal(formatBytes(undefined), "");
});

Deno.test("formatDuration() keeps precision for fast calls and switches to s and minutes", () => {
  equal(formatDuration(0.4213), "0.42 ms");
  equal(formatDuration(1.742), "1.7 ms");
  equal(formatDuration(12.3), "12 ms");
  equal(formatDuration(842), "842 ms");
  equal(formatDuration(3210), "3.2 s");
  equal(formatDuration(42_000), "42 s");
  equal(formatDuration(245_000), "4m 05s");
  equal(formatDuration(3 * 3600_000 + 7 * 60_000), "3h 07m");
  equal(formatDuration(undefined), "");
});

Deno.test("formatMicros() shows policy evaluation time in µs, then ms", () => {
  equal(formatMicros(8.73), "8.7 µs");
  equal(formatMicros(21), "21 µs");
  equal(formatMicros(1500), "1.5 ms");
  equal(formatMicros(undefined), "");
});

Deno.test("relativeTime() counts back from now in the largest sensible unit", () => {
  const now = 1_800_000_000_000;
  equal(relativeTime(now - 1000, now), "just now");
  equal(relativeTime(now - 42_000, now), "42 s ago");
  equal(relativeTime(now - 5 * 60_000, now), "5 min ago");
  equal(relativeTime(now - 3 * 3600_000, now), "3 h ago");
  equal(relativeTime(now - 3 * 86400_000, now), "3 d ago");
  equal(relativeTime(now + 2000, now), "just now");
});

Deno.test("formatClock() and formatDateTime() show local time with zero padding", () => {
  const ts = new Date(2026, 10, 2, 4, 3, 7, 12).getTime();
  equal(formatClock(ts), "04:03:07.012");
  equal(formatDateTime(ts), "2026-11-02 04:03:07");
});

Deno.test("formatRowTime() shows milliseconds today and the date on other days", () => {
  const now = new Date(2026, 10, 22, 18, 0, 0).getTime();
  equal(formatRowTime(new Date(2026, 10, 22, 14, 3, 7, 5).getTime(), now), "14:03:07.005");
  equal(formatRowTime(new Date(2026, 10, 21, 9, 5, 1).getTime(), now), "11-21 09:05:01");
});

Deno.test("formatWhen() shows only the time for today and a date otherwise", () => {
  const now = new Date(2026, 10, 22, 18, 0, 0).getTime();
  equal(formatWhen(new Date(2026, 10, 22, 14, 3, 7).getTime(), now), "14:03:07");
  equal(formatWhen(new Date(2026, 10, 21, 9, 5, 0).getTime(), now), "Nov 21 09:05");
  equal(formatWhen(new Date(2025, 0, 3, 9, 5, 0).getTime(), now), "Jan 3 2025 09:05");
});

Deno.test("formatCount(), formatCompact() and formatTokens() for tables", () => {
  equal(formatCount(1234567), "1,234,567");
  equal(formatCount(12), "12");
  equal(formatCompact(812), "812");
  equal(formatCompact(1000), "1k");
  equal(formatCompact(1234), "1.2k");
  equal(formatCompact(34_567), "35k");
  equal(formatCompact(1_500_000), "1.5M");
  equal(formatTokens(12_345), "≈12k");
  equal(formatTokens(undefined), "");
});

Deno.test("formatPercent() is empty without a whole and keeps small rates visible", () => {
  equal(formatPercent(1, 0), "");
  equal(formatPercent(0, 10), "0%");
  equal(formatPercent(1, 250), "0.4%");
  equal(formatPercent(1, 8), "13%");
});

Deno.test("truncate() and jsonPreview() cut with an ellipsis", () => {
  equal(truncate("abcdef", 10), "abcdef");
  equal(truncate("abcdef", 4), "abc…");
  equal(jsonPreview({ path: "/tmp/x", mode: "r" }), '{"path":"/tmp/x","mode":"r"}');
  equal(jsonPreview("line one\n  line two"), "line one line two");
  equal(jsonPreview([1, 2, 3, 4, 5], 6), "[1,2,…");
  equal(jsonPreview(undefined), "");
});

Deno.test("directionLabel() and shortRevision() name things compactly", () => {
  equal(directionLabel("client_to_server").arrow, "→");
  equal(directionLabel("server_to_client").text, "server → client");
  equal(directionLabel(undefined).arrow, "");
  equal(shortRevision("3f9c2a1b7d0e4c55"), "3f9c2a1b");
  equal(shortRevision(undefined), "");
});
