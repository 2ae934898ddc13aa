// User properties passed through unchanged and in order [MQTT-3.3.2-17, MQTT-3.3.2-18].
// mqtt-packet represents them as an object of name → value(s): names that interleave
// (a, b, a) come out grouped (a, a, b), and a repeated name after an empty value overwrites it.
// The engine's parser (codec.ts) keeps the pairs as they came (on the object, under a symbol, so
// every other use of the object still works), and the codec writes a PUBLISH's user properties
// itself, in that order. This module is only that representation; the bytes are the codec's.

/** The user properties of one property block, in wire order. */
export type UserPropertyPairs = readonly (readonly [string, string])[];

/** Where the ordered pairs live on a parsed `userProperties` object. */
const ORDERED_PAIRS: unique symbol = Symbol('octomesh.userPropertyPairs');

type UserPropertiesObject = Record<string, string | string[]> & {
  [ORDERED_PAIRS]?: UserPropertyPairs;
};

/** The pairs of a parsed `userProperties` object, in wire order, if the parser recorded them. */
export function orderedPairs(userProperties: unknown): UserPropertyPairs | undefined {
  if (typeof userProperties !== 'object' || userProperties === null) return undefined;
  return (userProperties as UserPropertiesObject)[ORDERED_PAIRS];
}

/** Builds mqtt-packet's object form from pairs, keeping every value and the pairs themselves. */
export function userPropertiesOf(pairs: UserPropertyPairs): UserPropertiesObject {
  const result = Object.create(null) as UserPropertiesObject;
  for (const [name, value] of pairs) {
    const existing = result[name];
    if (existing === undefined) result[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[name] = [existing, value];
  }
  Object.defineProperty(result, ORDERED_PAIRS, { value: pairs, enumerable: false });
  return result;
}
