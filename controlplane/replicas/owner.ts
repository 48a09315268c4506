import { createHash } from "node:crypto";

/**
 * Which of `members` owns `key`, by rendezvous hashing: each member scores the key, the highest
 * score wins. Every replica with the same list agrees without talking to the others, and when a
 * member leaves only its own keys move (to the members that scored next highest).
 */
export function ownerOf(members: readonly string[], key: string): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const m of members) {
    const score = createHash("sha256")
      .update(m)
      .update("\0")
      .update(key)
      .digest()
      .readBigUInt64BE();
    if (score > bestScore || (score === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}
