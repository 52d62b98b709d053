// Typed errors of the proof-of-work core (lib/pow) with stable codes.
// Callers branch on `code`, never on message text.

/** Stable error codes raised by lib/pow. */
export type PowErrorCode =
  | "invalid-pre-pow-hash"
  | "invalid-timestamp"
  | "invalid-nonce"
  | "invalid-bits"
  | "invalid-difficulty"
  | "invalid-target"
  | "matrix-unavailable";

/** An invalid argument or an impossible job, tagged with a stable code. */
export class PowError extends Error {
  /** Stable machine-readable reason. */
  readonly code: PowErrorCode;

  /** Creates an error with `code` and a human-readable `message`. */
  constructor(code: PowErrorCode, message: string) {
    super(message);
    this.name = "PowError";
    this.code = code;
  }
}
