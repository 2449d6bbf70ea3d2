/**
 * The activity feed's filter bar. Every control writes the filter back to the route (so a view is
 * a link); free text is debounced and replaces the history entry instead of adding one per key.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Direction } from "../../src/jsonrpc/correlation.ts";
import type { RecordedAction } from "../../src/decision_summary.ts";
import type { RecordFilter, SessionSummary } from "../../src/dashboard/api_types.ts";
import { ServerSelect, SessionSelect } from "./scope_selects.tsx";

const ACTIONS: readonly RecordedAction[] = ["deny", "ask", "transform", "error", "allow"];

/** Methods offered before any record shows one. */
const COMMON_METHODS = [
  "tools/call",
  "tools/list",
  "initialize",
  "resources/read",
  "resources/list",
  "prompts/get",
  "prompts/list",
  "sampling/createMessage",
  "notifications/cancelled",
];

export function FilterBar(
  { filter, sessions, methods, tools, now, onChange }: {
    filter: RecordFilter;
    sessions: readonly SessionSummary[];
    methods: readonly string[];
    tools: readonly string[];
    now: number;
    onChange(filter: RecordFilter, replace?: boolean): void;
  },
) {
  const set = (patch: Partial<Record<keyof RecordFilter, string | number | undefined>>) => {
    const next: Record<string, unknown> = { ...filter };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === "") delete next[key];
      else next[key] = value;
    }
    onChange(next as RecordFilter);
  };
  const methodOptions = [...new Set([...methods, ...COMMON_METHODS])].sort();
  const active = Object.values(filter).some((v) => v !== undefined && v !== "");

  return (
    <div class="filters" role="search">
      <SessionSelect
        testid="filter-session"
        value={filter.session}
        sessions={sessions}
        now={now}
        onChange={(session) => set({ session })}
      />
      <ServerSelect
        testid="filter-server"
        value={filter.server}
        sessions={sessions}
        onChange={(server) => set({ server })}
      />
      <label class="field">
        <span>Direction</span>
        <select
          data-testid="filter-direction"
          value={filter.direction ?? ""}
          onChange={(e) => set({ direction: e.currentTarget.value as Direction | "" })}
        >
          <option value="">Both</option>
          <option value="client_to_server">→ client to server</option>
          <option value="server_to_client">← server to client</option>
        </select>
      </label>
      <label class="field">
        <span>Method</span>
        <CommitInput
          testid="filter-method"
          value={filter.method ?? ""}
          list="km-methods"
          placeholder="any"
          onCommit={(v) => set({ method: v })}
        />
        <datalist id="km-methods">
          {methodOptions.map((m) => <option key={m} value={m} />)}
        </datalist>
      </label>
      <label class="field">
        <span>Tool</span>
        <CommitInput
          testid="filter-tool"
          value={filter.tool ?? ""}
          list="km-tools"
          placeholder="any"
          onCommit={(v) => set({ tool: v })}
        />
        <datalist id="km-tools">
          {tools.map((t) => <option key={t} value={t} />)}
        </datalist>
      </label>
      <label class="field">
        <span>Decision</span>
        <select
          data-testid="filter-decision"
          value={filter.decision ?? ""}
          onChange={(e) => set({ decision: e.currentTarget.value })}
        >
          <option value="">Any</option>
          {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <label class="field field-narrow">
        <span>Min risk</span>
        <select
          data-testid="filter-risk"
          value={filter.risk === undefined ? "" : String(filter.risk)}
          onChange={(e) => set({ risk: e.currentTarget.value })}
        >
          <option value="">Any</option>
          {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => (
            <option key={n} value={String(n)}>≥ {n}</option>
          ))}
        </select>
      </label>
      <label class="field field-grow">
        <span>Search</span>
        <SearchInput value={filter.q ?? ""} onSearch={(q) => onChange({ ...filter, q }, true)} />
      </label>
      {active && (
        <button type="button" class="btn btn-ghost clear" onClick={() => onChange({})}>
          Clear
        </button>
      )}
    </div>
  );
}

/** A text input for exact-match fields: it applies on Enter, on blur or on picking a suggestion. */
function CommitInput(
  { value, onCommit, testid, list, placeholder }: {
    value: string;
    onCommit(value: string): void;
    testid: string;
    list: string;
    placeholder: string;
  },
) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = (v: string) => {
    if (v.trim() !== value) onCommit(v.trim());
  };
  return (
    <input
      type="text"
      data-testid={testid}
      value={text}
      list={list}
      placeholder={placeholder}
      spellcheck={false}
      autocomplete="off"
      onInput={(e) => setText(e.currentTarget.value)}
      onChange={(e) => commit(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit(e.currentTarget.value);
        if (e.key === "Escape") {
          setText("");
          commit("");
        }
      }}
    />
  );
}

/** Free text, applied 300 ms after the last key. */
function SearchInput({ value, onSearch }: { value: string; onSearch(q: string): void }) {
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typed = useRef(value);
  const latest = useRef(onSearch);
  latest.current = onSearch;
  useEffect(() => {
    // Follow the route (back button, Clear) unless it is only echoing what was typed.
    if (value !== typed.current) {
      typed.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = (q: string) => {
    clearTimeout(timer.current);
    typed.current = q;
    latest.current(q);
  };
  return (
    <input
      type="search"
      data-testid="filter-q"
      value={text}
      placeholder="method, tool, text, reason…"
      spellcheck={false}
      onInput={(e) => {
        const q = e.currentTarget.value;
        setText(q);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => apply(q), 300);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter") apply(e.currentTarget.value);
      }}
    />
  );
}
