// Seeded 64-bit generator (splitmix64) and random 32-byte hashes for the PoW tests: the same seed
// checks the same inputs on every machine, so a failure names a reproducible case.

/** A splitmix64 stream from `seed`; each call returns the next u64. */
export function prng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

/** 32 bytes from four draws of `next`, little-endian words. */
export function randomHash(next: () => bigint): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let o = 0; o < 32; o += 8) view.setBigUint64(o, next(), true);
  return out;
}
