// Public face of session: the engine, its contracts (JobSource, BlockSubmitter, MinerEvents,
// effects) and helpers. Pure: depends on protocol/, dialects/, shares/ and the kaspa/ contracts.

export { Session } from "./session.ts";
export type { Channel, DifficultyControl, Phase, SessionDeps } from "./state.ts";
export { JobEncodings } from "./encodings.ts";
export { AddressBudget, type AddressLimits } from "./address_budget.ts";
export { ExtranoncePool, ExtranoncePools } from "./extranonce.ts";
export type { Extranonce, ExtranonceSlice } from "./extranonce.ts";
export { SESSION_DEFAULTS } from "./types.ts";
export type {
  AddressCheck,
  BlockSubmission,
  BlockSubmitter,
  BlockTicket,
  DifficultyPolicy,
  Effect,
  ExtranonceSize,
  JobSource,
  SessionOptions,
  Step,
  ValidateAddress,
} from "./types.ts";
export {
  createVardiff,
  VARDIFF,
  vardiffNextCheck,
  vardiffOnShare,
  vardiffOnTick,
} from "./vardiff.ts";
export type { VardiffOptions, VardiffState } from "./vardiff.ts";
export { cutText, MAX_AGENT, MAX_WORKER_NAME, parseDifficultyOverride, parseUser } from "./user.ts";
export type { ParsedUser } from "./user.ts";
export { noEvents, PROXY_REJECT_REASONS, REFUSED_REASONS } from "./events.ts";
export type {
  BlockEvent,
  BlockVerdictKind,
  MinerEvents,
  ProxyRejectReason,
  RefusalCause,
  RefusedReason,
  ShareEvent,
  ShareOutcome,
  WorkerRef,
} from "./events.ts";
