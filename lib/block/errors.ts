// Typed errors of the block module (header serialization, hex) with stable codes.
// Callers branch on `code`, never on message text.

/** Stable error codes raised by lib/block. */
export type BlockErrorCode = "invalid-hex" | "invalid-header";

/** A malformed header field or hex string, tagged with a stable code. */
export class BlockError extends Error {
  /** Stable machine-readable reason. */
  readonly code: BlockErrorCode;

  /** Creates an error with `code` and a human-readable `message`. */
  constructor(code: BlockErrorCode, message: string) {
    super(message);
    this.name = "BlockError";
    this.code = code;
  }
}
