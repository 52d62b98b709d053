// Stratum error codes (20-25) and the JSON-RPC 2.0 codes, with their default messages.
// Pure: the one place that names error codes; encoders choose the wire form per dialect.

/** Error codes a miner may receive. Stable: metrics and tests key on them. */
export const ErrorCode = {
  Other: 20,
  JobNotFound: 21,
  Duplicate: 22,
  LowDifficulty: 23,
  Unauthorized: 24,
  NotSubscribed: 25,
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
} as const;

/** One of {@linkcode ErrorCode}'s values. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** The message sent with each code unless a more precise one is given. */
export const DEFAULT_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  20: "Other/Unknown",
  21: "Job not found",
  22: "Duplicate share",
  23: "Low difficulty share",
  24: "Unauthorized worker",
  25: "Not subscribed",
  [-32700]: "Parse error",
  [-32600]: "Invalid request",
  [-32601]: "Method not found",
  [-32602]: "Invalid params",
};

/** A request that cannot be served, with the code the miner is answered with. */
export class StratumError extends Error {
  /** Error name. */
  override readonly name = "StratumError";
  /** The code the miner is answered with. */
  readonly code: ErrorCode;
  /** An error with `code`; the message defaults to the code's standard one. */
  constructor(code: ErrorCode, message: string = DEFAULT_MESSAGES[code]) {
    super(message);
    this.code = code;
  }
}
