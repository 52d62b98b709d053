// Typed errors of header serialization and hex decoding, with stable codes.
// Callers branch on `code`, never on message text.

/** Stable error codes raised by header serialization and hex decoding. */
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
