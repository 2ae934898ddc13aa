// Client ids belong to identities (design: "A client id belongs to an identity"). For a role
// with templates, a client id is valid only if empty (the server assigns one) or equal to one of
// the templates expanded for the identity: `%u` its username, `%e` its endpoint id. Its owner
// then always wins it: a session another identity holds under that id is discarded. Roles
// without templates choose any id, but never take one another identity holds.

/** Templates per role, e.g. `{ device: ['%u', '%e'] }`. */
export type ClientIdPolicy = Readonly<Record<string, readonly string[]>>;

/** The default: devices use their username or endpoint id; other roles any id. */
export const DEFAULT_CLIENT_ID_POLICY: ClientIdPolicy = { device: ['%u', '%e'] };

/** The identity fields templates read. */
export interface ClientIdOwner {
  role: string;
  username: string;
  endpointId: string;
}

/** How a client id stands for an identity. */
export type ClientIdStanding =
  /** One of the role's templates names it: the identity owns it. */
  | 'owner'
  /** The role has no templates: allowed, but it owns nothing. */
  | 'free'
  /** The role has templates and none names it: refused (0x85). */
  | 'refused';

/** Where `clientId` stands for `identity` under `policy`. */
export function clientIdStanding(
  policy: ClientIdPolicy,
  identity: ClientIdOwner,
  clientId: string,
): ClientIdStanding {
  const templates = policy[identity.role];
  if (templates === undefined) return 'free';
  for (const template of templates) {
    const expanded = expand(template, identity);
    if (expanded !== undefined && expanded === clientId) return 'owner';
  }
  return 'refused';
}

// A template whose placeholder is empty for this identity names nothing (a device without an
// endpoint id does not own the empty id).
function expand(template: string, identity: ClientIdOwner): string | undefined {
  let empty = false;
  const value = template.replace(/%[ue]/g, (placeholder) => {
    const field = placeholder === '%u' ? identity.username : identity.endpointId;
    if (field === '') empty = true;
    return field;
  });
  return empty || value === '' ? undefined : value;
}

/**
 * Parses `role=template|template;role=…` (MQTT_CLIENT_ID_TEMPLATES). Templates hold only
 * literal text and %u / %e; a role given with no templates (`controller=`) may use any id.
 */
export function parseClientIdPolicy(text: string): ClientIdPolicy {
  const policy: Record<string, string[]> = {};
  for (const part of text.split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not role=template|template`);
    const role = part.slice(0, eq).trim();
    const templates = part
      .slice(eq + 1)
      .split('|')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    for (const template of templates) {
      if (/%[^ue]/.test(template) || template.endsWith('%'))
        throw new Error(`template "${template}" of ${role} may use only %u and %e`);
    }
    if (role in policy) throw new Error(`role ${role} appears twice`);
    policy[role] = templates;
  }
  // An empty template list means "any id": the role is simply not restricted.
  return Object.fromEntries(Object.entries(policy).filter(([, t]) => t.length > 0));
}
