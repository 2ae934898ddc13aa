// Error messages quote the offending value so an operator can find it, but the value comes from
// untrusted input: keep it short and never let describing it throw (BigInt, cycles).
const MAX_LENGTH = 40;

/** Renders an untrusted value for an error message: JSON-ish, bounded length, never throws. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null) {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
