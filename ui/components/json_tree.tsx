/**
 * A collapsible JSON viewer: objects and arrays fold, long arrays show their first items, long
 * strings are cut with "show more". Rendering is lazy: a folded node renders none of its children,
 * so a large tool result costs only what is open.
 *
 * `whole` is for what a person approves: everything open, nothing cut, and characters that would
 * not show (controls, bidirectional overrides, zero-width marks) written as escapes, so what is
 * on screen is all of what will be sent.
 */
import type { ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { visibleText } from "../../src/visible_text.ts";

/** Strings longer than this are cut until "show more". */
const STRING_PREVIEW = 300;
/** Items of an array or object shown before "show more". */
const CHILDREN_PREVIEW = 100;

export function JsonTree(
  { value, openDepth = 6, label, whole = false }: {
    value: unknown;
    openDepth?: number;
    label?: string;
    whole?: boolean;
  },
) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(JSON.stringify(value, null, 2)).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1200);
      },
      () => {},
    );
  };
  return (
    <div class="json" role="tree" aria-label={label}>
      <button type="button" class="btn btn-tiny json-copy" onClick={copy}>
        {copied ? "Copied" : "Copy"}
      </button>
      <JsonNode value={value} depth={0} openDepth={whole ? Infinity : openDepth} whole={whole} />
    </div>
  );
}

function JsonNode(
  { name, value, depth, openDepth, last = true, whole }: {
    name?: string;
    value: unknown;
    depth: number;
    openDepth: number;
    last?: boolean;
    whole: boolean;
  },
) {
  const keyText = JSON.stringify(name);
  const key = name === undefined
    ? null
    : <span class="jt-key">{whole ? visibleText(keyText) : keyText}:</span>;
  const comma = last ? null : <span class="jt-punct">,</span>;
  if (value !== null && typeof value === "object") {
    return (
      <Collection
        keyNode={key}
        value={value as Record<string, unknown> | unknown[]}
        depth={depth}
        openDepth={openDepth}
        comma={comma}
        whole={whole}
      />
    );
  }
  return (
    <div class="jt-line" role="treeitem">
      {key}
      {key && " "}
      <Scalar value={value} whole={whole} />
      {comma}
    </div>
  );
}

function Collection(
  { keyNode, value, depth, openDepth, comma, whole }: {
    keyNode: ComponentChild;
    value: Record<string, unknown> | unknown[];
    depth: number;
    openDepth: number;
    comma: ComponentChild;
    whole: boolean;
  },
) {
  const isArray = Array.isArray(value);
  const entries: [string | undefined, unknown][] = isArray
    ? value.map((v) => [undefined, v])
    : Object.entries(value);
  // Open what a person reads first; big collections below the top wait for a click.
  const [open, setOpen] = useState(
    whole || (depth < openDepth && (depth < 2 || entries.length <= 50)),
  );
  const [limit, setLimit] = useState(whole ? Infinity : CHILDREN_PREVIEW);
  const [openBracket, closeBracket] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div class="jt-line" role="treeitem">
        {keyNode}
        {keyNode && " "}
        <span class="jt-punct">{openBracket}{closeBracket}</span>
        {comma}
      </div>
    );
  }
  const count = `${entries.length} ${isArray ? "item" : "key"}${entries.length === 1 ? "" : "s"}`;
  return (
    <div class="jt-node" role="treeitem" aria-expanded={open}>
      <div class="jt-line">
        <button
          type="button"
          class="jt-toggle"
          aria-label={open ? "Collapse" : "Expand"}
          onClick={() => setOpen(!open)}
        >
          {open ? "▾" : "▸"}
        </button>
        {keyNode}
        {keyNode && " "}
        <span class="jt-punct">{openBracket}</span>
        {!open && (
          <>
            <button type="button" class="jt-summary" onClick={() => setOpen(true)}>{count}</button>
            <span class="jt-punct">{closeBracket}</span>
            {comma}
          </>
        )}
      </div>
      {open && (
        <>
          <div class="jt-children" role="group">
            {entries.slice(0, limit).map(([k, v], i) => (
              <JsonNode
                key={k ?? i}
                name={k}
                value={v}
                depth={depth + 1}
                openDepth={openDepth}
                last={i === entries.length - 1}
                whole={whole}
              />
            ))}
            {entries.length > limit && (
              <button
                type="button"
                class="btn btn-tiny"
                onClick={() => setLimit(limit + CHILDREN_PREVIEW * 5)}
              >
                show {Math.min(entries.length - limit, CHILDREN_PREVIEW * 5)} more of{" "}
                {entries.length - limit}
              </button>
            )}
          </div>
          <div class="jt-line">
            <span class="jt-punct">{closeBracket}</span>
            {comma}
          </div>
        </>
      )}
    </div>
  );
}

function Scalar({ value, whole }: { value: unknown; whole: boolean }) {
  const [full, setFull] = useState(whole);
  if (typeof value === "string" && whole) {
    // Multi-line text keeps its lines; JSON's escapes otherwise. Either way nothing is cut.
    return value.includes("\n")
      ? (
        <span class="jt-str">
          <span class="jt-punct">"</span>
          <span class="jt-text">{visibleText(value)}</span>
          <span class="jt-punct">"</span>
        </span>
      )
      : <span class="jt-str">{visibleText(JSON.stringify(value))}</span>;
  }
  if (typeof value === "string") {
    const long = value.length > STRING_PREVIEW;
    const shown = long && !full ? value.slice(0, STRING_PREVIEW) : value;
    const more = long && (
      <button type="button" class="jt-more" onClick={() => setFull(!full)}>
        {full ? "show less" : `show more (${value.length.toLocaleString()} chars)`}
      </button>
    );
    // Multi-line text (tool output, file contents) reads better as text than as an escaped string.
    if (value.includes("\n") && value.length > 60) {
      return (
        <span class="jt-str">
          <span class="jt-punct">"</span>
          <span class="jt-text">{shown}{long && !full ? "…" : ""}</span>
          <span class="jt-punct">"</span>
          {more}
        </span>
      );
    }
    const quoted = JSON.stringify(shown);
    return (
      <span class="jt-str">
        {long && !full ? `${quoted.slice(0, -1)}…"` : quoted}
        {more}
      </span>
    );
  }
  if (typeof value === "number") return <span class="jt-num">{String(value)}</span>;
  if (typeof value === "boolean") return <span class="jt-bool">{String(value)}</span>;
  if (value === null) return <span class="jt-null">null</span>;
  return <span class="jt-null">{String(value)}</span>;
}
