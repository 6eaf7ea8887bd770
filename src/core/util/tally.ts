/**
 * Adds one to `counts[key]`. Keys come from files (labels), so a label named "constructor" or "__proto__"
 * must count as itself, not find or set something of Object.prototype.
 */
export function tally(counts: Record<string, number>, key: string): void {
  const before = Object.hasOwn(counts, key) ? counts[key]! : 0;
  Object.defineProperty(counts, key, { value: before + 1, enumerable: true, writable: true, configurable: true });
}
