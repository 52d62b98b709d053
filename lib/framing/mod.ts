// Public face of framing: bytes ⇄ newline-delimited lines, length-capped.
// Pure: imports nothing else from lib/.

export { concatBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./line_splitter.ts";
export type { LineSplitterOptions, SplitEvent } from "./line_splitter.ts";
