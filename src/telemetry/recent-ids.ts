/**
 * A set of the last N ids added: adding one more forgets the oldest. A fixed ring beside the
 * set, so that memory stays at N ids whatever the traffic; the correlator's memory of the
 * requestIds it emitted, to tell a late event from a new invocation.
 */

export interface RecentIds {
  has(id: string): boolean;
  /** Adds a non-empty id that is not in the set; the oldest one goes once `capacity` are held. */
  add(id: string): void;
}

/** Holds at most `capacity` ids (a positive integer). */
export function createRecentIds(capacity: number): RecentIds {
  const ids = new Set<string>();
  /** '' marks a free place: request ids are never empty (the decoder rejects those). */
  const ring = new Array<string>(capacity).fill('');
  let next = 0;
  return {
    has: (id) => ids.has(id),
    add(id) {
      const forgotten = ring[next];
      if (forgotten !== undefined && forgotten !== '') ids.delete(forgotten);
      ring[next] = id;
      ids.add(id);
      next = next + 1 === capacity ? 0 : next + 1;
    },
  };
}
