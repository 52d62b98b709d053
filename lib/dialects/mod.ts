// Public face of dialects: the Dialect interface, the four families, detection and the registry.
// Pure: depends on protocol/ and the hex codec of kaspa/.

export {
  type AuthorizeFields,
  type DecodedRequest,
  type Dialect,
  DIALECT_IDS,
  type DialectId,
  type JobWork,
  type NonceForm,
  type NonceInput,
  type NotifyFields,
} from "./dialect.ts";
export { arrayDialect } from "./array.ts";
export { bighexDialect } from "./bighex.ts";
export { bitmainDialect } from "./bitmain.ts";
export { simpleDialect } from "./simple.ts";
export { detectDialect, isSubscribe, provisionalDialect, subscribeAgent } from "./detect.ts";
export { DIALECTS, isDialectId } from "./registry.ts";
