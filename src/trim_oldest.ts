/** Bounding a Map that is kept in insertion order: the oldest entries go first. */

/** Deletes the oldest entries of `map` until it holds at most `max`; returns how many went. */
export function trimOldest<K, V>(map: Map<K, V>, max: number): number {
  // Called on every insertion, some on the relay's path: no iterator unless one must go.
  if (map.size <= max) return 0;
  let dropped = 0;
  for (const key of map.keys()) {
    if (map.size <= max) break;
    map.delete(key);
    dropped++;
  }
  return dropped;
}
