/**
 * Approval through the MCP client's own UI: the `elicitation/create` request km sends, the
 * check that the client can take one, and the reading of its answer. Pure.
 */
import type { ApprovalAnswer } from "./types.ts";
import type { Pending } from "./broker.ts";
import { seconds } from "./broker.ts";
import { maskedNote, shownArguments } from "./shown_arguments.ts";
import { visibleText } from "../visible_text.ts";

/** The first protocol version with elicitation, and the first where servers may not ask. */
const FIRST_WITH_ELICITATION = "2025-06-18";
export const FIRST_WITHOUT_SERVER_REQUESTS = "2026-07-28";

type Obj = Record<string, unknown>;

/**
 * Why the client cannot be asked, or undefined when it can: it must have declared form
 * elicitation, and the session's protocol version must let a server send it requests.
 */
export function elicitationUnavailable(
  capabilities: Obj | undefined,
  protocolVersion: string | undefined,
): string | undefined {
  if (protocolVersion === undefined) return "the session has not been initialised yet";
  if (protocolVersion < FIRST_WITH_ELICITATION) {
    return `protocol version ${protocolVersion} has no elicitation (it came in ${FIRST_WITH_ELICITATION})`;
  }
  if (protocolVersion >= FIRST_WITHOUT_SERVER_REQUESTS) {
    return `protocol version ${protocolVersion} does not let a server send the client requests`;
  }
  return formElicitationMissing(capabilities);
}

/** Why the client cannot show a form elicitation, or undefined when it declared it can. */
export function formElicitationMissing(capabilities: Obj | undefined): string | undefined {
  const elicitation = capabilities?.elicitation;
  if (typeof elicitation !== "object" || elicitation === null) {
    return "the client did not declare the elicitation capability";
  }
  // An empty object means form mode (2025-06-18); from 2025-11-25 modes are listed.
  const modes = Object.keys(elicitation);
  if (modes.length > 0 && !modes.includes("form")) {
    return `the client supports elicitation only in ${modes.join(", ")} mode, not form`;
  }
  return undefined;
}

/**
 * Text from the message (a tool name, a reason quoting an argument) on one line of the question,
 * every invisible or direction-changing character and every line break written as an escape: a
 * value cannot add a line that looks like km's own ("Arguments: ...") or reorder what is shown.
 */
function oneLine(text: string): string {
  return visibleText(text).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/**
 * The params of km's `elicitation/create` for one pending approval. The arguments are shown
 * whole, exactly as they will be sent (not redacted, not cut short), but for whole secret tokens,
 * which the message names (shown_arguments.ts); as JSON, with the characters JSON leaves raw
 * that change how text looks (direction overrides, zero-width) escaped too.
 */
export function elicitationParams(pending: Pending, server: string, args: unknown): Obj {
  const r = pending.request;
  const shown = args === undefined ? undefined : shownArguments(args);
  const masked = shown && maskedNote(shown.masked);
  const what = r.direction === "client_to_server"
    ? `A call to ${r.tool ? `the tool "${oneLine(r.tool)}"` : oneLine(r.method)} of the server "${
      oneLine(server)
    }"`
    : `A ${oneLine(r.method)} message from the server "${oneLine(server)}"`;
  const lines = [
    pending.request.wire
      ? `km (the MCP security proxy) stopped a request that its policy says needs your approval.`
      : `km (the MCP security proxy) holds a message that its policy says needs your approval.`,
    "",
    `${what}.`,
    `Arguments: ${shown === undefined ? "(none)" : oneLine(JSON.stringify(shown.value))}`,
    ...(masked === undefined ? [] : [`(${masked}.)`]),
    `Why approval is needed: ${r.reasons.map(oneLine).join("; ") || "the policy asks for it"}`,
    "",
    `Accept to allow it, Decline to block it. Without an answer it is blocked in ${
      seconds(r.timeoutMs)
    }.`,
  ];
  return {
    message: lines.join("\n"),
    requestedSchema: {
      type: "object",
      properties: {
        scope: {
          type: "string",
          title: "Approve for",
          description:
            '"once": this call only; "session": this tool with these same arguments for the rest of the session',
          enum: ["once", "session"],
          default: "once",
        },
      },
    },
  };
}

/** What an elicitation result means for the approval. */
export type ElicitationAnswer =
  | { readonly answer: ApprovalAnswer; readonly how: string }
  | { readonly error: string };

/** Reads the client's answer: accept (once or for the session), decline, or cancel. */
export function readElicitationResult(result: unknown): ElicitationAnswer {
  const value = result as { action?: unknown; content?: { scope?: unknown } } | undefined;
  switch (value?.action) {
    case "accept":
      return value.content?.scope === "session"
        ? { answer: "approve_session", how: "accepted for the session" }
        : { answer: "approve", how: "accepted" };
    case "decline":
      return { answer: "deny", how: "declined" };
    case "cancel":
      return { answer: "deny", how: "dismissed the request" };
    default:
      return {
        error: `the client's elicitation result has action ${
          JSON.stringify(value?.action)
        }, expected accept, decline or cancel`,
      };
  }
}
