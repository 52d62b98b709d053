// The one error type configuration loading throws, with stable codes.
// Messages are a single line that names the setting and says what to do.

/** Stable codes callers may branch on (never on message text). */
export type ConfigErrorCode =
  | "unknown_key"
  | "bad_value"
  | "conflict"
  | "file_unreadable"
  | "file_syntax"
  | "bad_address"
  | "wrong_network"
  | "unexpected_argument";

/**
 * A configuration mistake. `message` is one line meant for a person; main prints it and exits 2.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * const err = new ConfigError("bad_value", "--extranonce-size 5: expected an integer from 0 to 3");
 * console.assert(err.code === "bad_value");
 * ```
 */
export class ConfigError extends Error {
  /** Always "ConfigError". */
  override readonly name = "ConfigError";
  /** Stable classification of the mistake. */
  readonly code: ConfigErrorCode;

  /** Creates the error; newlines in `message` are folded into spaces so it stays one line. */
  constructor(code: ConfigErrorCode, message: string) {
    super(message.replace(/\s*\n\s*/g, " "));
    this.code = code;
  }
}

/**
 * Thrown by value codecs with only the reason ("expected an integer from 0 to 3"); the resolver
 * knows where the value came from and turns it into a ConfigError naming the setting.
 */
export class ValueProblem extends Error {
  /** Always "ValueProblem". */
  override readonly name = "ValueProblem";
  /** `bad_address` and `wrong_network` keep their own code; everything else is `bad_value`. */
  readonly code: ConfigErrorCode;

  /** `reason` says what is wrong and what would be right, without naming the setting. */
  constructor(reason: string, code: ConfigErrorCode = "bad_value") {
    super(reason);
    this.code = code;
  }
}
