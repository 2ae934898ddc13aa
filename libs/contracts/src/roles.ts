/** The roles an MQTT account can hold; the ACL rules key on these names. */
export const Roles = {
  device: 'device',
  controller: 'controller',
  admin: 'admin',
} as const;

/** One of the {@link Roles} values. */
export type Role = (typeof Roles)[keyof typeof Roles];

const ROLE_VALUES: ReadonlySet<unknown> = new Set(Object.values(Roles));

/** Narrows untrusted input (a stored record, a CLI flag) to a {@link Role}. */
export function isRole(value: unknown): value is Role {
  return ROLE_VALUES.has(value);
}

/** The role the broker gives unauthenticated clients, only in --allow-anonymous development mode. */
export const ANONYMOUS_ROLE = 'anonymous';
