/**
 * The session and server pickers that the activity filters and the statistics share. A value
 * no longer among the sessions (a link to an old one) stays selectable.
 */
import type { SessionSummary } from "../../src/dashboard/api_types.ts";
import { formatWhen, shortId } from "../format.ts";

export function SessionSelect(
  { testid, value, sessions, now, onChange }: {
    testid: string;
    value: string | undefined;
    sessions: readonly SessionSummary[];
    now: number;
    onChange(session: string): void;
  },
) {
  const known = !value || sessions.some((s) => s.id === value);
  return (
    <label class="field">
      <span>Session</span>
      <select
        data-testid={testid}
        value={value ?? ""}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        <option value="">All sessions</option>
        {!known && <option value={value}>{shortId(value!)}</option>}
        {sessions.map((s) => (
          <option key={s.id} value={s.id}>
            {s.server} · {formatWhen(s.startedAt, now)}
            {s.live ? " · live" : ""} · {shortId(s.id)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ServerSelect(
  { testid, value, sessions, onChange }: {
    testid: string;
    value: string | undefined;
    sessions: readonly SessionSummary[];
    onChange(server: string): void;
  },
) {
  const servers = [...new Set(sessions.map((s) => s.server))].sort();
  if (value && !servers.includes(value)) servers.unshift(value);
  return (
    <label class="field">
      <span>Server</span>
      <select
        data-testid={testid}
        value={value ?? ""}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        <option value="">All servers</option>
        {servers.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
    </label>
  );
}
