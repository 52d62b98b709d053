// The KaspadRequest / KaspadResponse envelope: an id (field 101) and one payload field of the oneof.
// Pure; shared by the gRPC client transport and the mining front.

import { ENVELOPE_ID } from "./messages.ts";
import { fieldBytes, readFields, WireType, WireWriter } from "./wire.ts";

/** One envelope: request/response id and the payload's oneof field number with its bytes. */
export interface Envelope {
  id: bigint;
  payload: number;
  body: Uint8Array;
}

/** Encodes a KaspadRequest/KaspadResponse envelope. */
export function encodeEnvelope(e: Envelope): Uint8Array {
  return new WireWriter().bytes(e.payload, e.body).uint(ENVELOPE_ID, e.id).finish();
}

/** Decodes an envelope; the payload is the first length-delimited field other than the id. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let id = 0n;
  let payload = 0;
  let body: Uint8Array = new Uint8Array(0);
  for (const f of readFields(bytes)) {
    if (f.num === ENVELOPE_ID && f.wire === WireType.VARINT) id = f.int;
    else if (payload === 0 && f.wire === WireType.LEN) {
      payload = f.num;
      body = fieldBytes(bytes, f);
    }
  }
  return { id, payload, body };
}
