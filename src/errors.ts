/**
 * The two error families of km (docs/architecture.md, "House rules"): local failures with a string code, and
 * JSON-RPC errors that are sent on the wire.
 */

/** Codes of local failures. Each maps to a documented exit code. */
export type KmErrorCode =
  | "USAGE"
  | "CONFIG_INVALID"
  | "LOG_UNWRITABLE"
  | "UPSTREAM_NOT_FOUND"
  | "UPSTREAM_NOT_EXECUTABLE"
  | "UPSTREAM_SPAWN_FAILED"
  | "SELF_WRAP"
  | "POLICY_COMPILER_NOT_FOUND"
  | "POLICY_COMPILE_FAILED"
  | "POLICY_INVALID"
  | "POLICY_EVAL_FAILED"
  | "INTERNAL";

const EXIT_CODES: Record<KmErrorCode, number> = {
  USAGE: 2,
  CONFIG_INVALID: 2,
  SELF_WRAP: 2,
  POLICY_COMPILER_NOT_FOUND: 2,
  POLICY_COMPILE_FAILED: 2,
  POLICY_INVALID: 2,
  POLICY_EVAL_FAILED: 1,
  LOG_UNWRITABLE: 1,
  UPSTREAM_SPAWN_FAILED: 1,
  INTERNAL: 1,
  UPSTREAM_NOT_EXECUTABLE: 126,
  UPSTREAM_NOT_FOUND: 127,
};

/** A failure of km itself, with a message that names the thing and what was expected. */
export class KmError extends Error {
  override readonly name = "KmError";
  constructor(
    readonly code: KmErrorCode,
    message: string,
    /** A hint on how to fix it, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
  }

  /** The process exit code for this failure. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** JSON-RPC 2.0 error codes km uses when it answers a peer itself. */
export const RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  /** km-specific: the message was larger than `maxMessageBytes` and was not forwarded. */
  messageTooLarge: -32001,
  /** km-specific: the policy blocked the message (the error's data lists reasons and rules). */
  policyDenied: -32010,
  /** km-specific: the request was not forwarded because its audit record could not be written. */
  auditUnavailable: -32011,
} as const;

/** An error km sends on the wire as a JSON-RPC error response. */
export class JsonRpcError extends Error {
  override readonly name = "JsonRpcError";
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }

  /**
   * The error response for a request whose id is given as its raw JSON text, so that ids of
   * any JSON type (including integers beyond 2^53) are echoed exactly.
   */
  toResponse(rawId: string): string {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.data !== undefined) error.data = this.data;
    return `{"jsonrpc":"2.0","id":${rawId},"error":${JSON.stringify(error)}}`;
  }
}
