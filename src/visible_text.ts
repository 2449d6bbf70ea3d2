/**
 * Text as a person must see it to judge it: every character that changes how text looks without
 * showing itself, written as an escape. Used wherever a person approves what will run (the
 * client's question, the dashboard). Pure.
 */

/**
 * Characters that change how text looks without showing themselves: controls (but tab and line
 * feed), bidirectional embeddings and overrides, zero-width and invisible marks, tag characters.
 * A person approving a command must not be shown `rm` where `mr` will run.
 */
const INVISIBLE =
  // deno-lint-ignore no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]/g;

/** Text with every invisible character written as a `\u{…}` escape. */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}
