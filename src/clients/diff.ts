/**
 * A unified diff of two texts, for `--dry-run`: what wrap or unwrap would write, line by line,
 * with three lines of context. Pure. Wrap's edits are few and close together, so the lines both
 * texts share at their start and end are set aside before the middle is compared; a middle too
 * large to compare line by line is shown as one replacement.
 */

const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string };

/** `--- from` / `+++ to` and the hunks; "" when the texts are equal. */
export function unifiedDiff(before: string, after: string, from: string, to: string): string {
  if (before === after) return "";
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const ops: Op[] = [
    ...a.slice(0, head).map((line) => ({ kind: " " as const, line })),
    ...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line) => ({ kind: " " as const, line })),
  ];
  return `--- ${from}\n+++ ${to}\n${hunks(ops).join("")}`;
}

/** Lines with their endings kept, so a changed line ending shows; the last may have none. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The shortest edit between `a` and `b` by their longest common subsequence. */
function middle(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((line) => ({ kind: "-" as const, line })),
      ...b.map((line) => ({ kind: "+" as const, line })),
    ];
  }
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j]
        ? lcs[(i + 1) * width + j + 1] + 1
        : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i++] });
      j++;
    } else if (
      i < a.length && (j === b.length || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
    ) {
      ops.push({ kind: "-", line: a[i++] });
    } else ops.push({ kind: "+", line: b[j++] });
  }
  return ops;
}

function hunks(ops: Op[]): string[] {
  const changed = ops.flatMap((op, index) => (op.kind === " " ? [] : [index]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - CONTEXT);
    let end = changed[k];
    while (k < changed.length && changed[k] <= end + 2 * CONTEXT + 1) end = changed[k++];
    end = Math.min(ops.length, end + CONTEXT + 1);
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== "+") oldLine++;
      if (op.kind !== "-") newLine++;
    }
    const body = ops.slice(start, end);
    const oldCount = body.filter((op) => op.kind !== "+").length;
    const newCount = body.filter((op) => op.kind !== "-").length;
    out.push(
      `@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@\n`,
      ...body.map((op) =>
        `${op.kind}${
          op.line.endsWith("\n") ? op.line : `${op.line}\n\\ No newline at end of file\n`
        }`
      ),
    );
  }
  return out;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}
