// The ACL vocabulary shared by the acl service, the broker and the CLI.

/** What a client may try to do with a topic. */
export const AclActions = { publish: 'publish', subscribe: 'subscribe' } as const;
/** One of the AclActions values. */
export type AclAction = (typeof AclActions)[keyof typeof AclActions];

/** What a rule does when it applies. */
export const AclEffects = { allow: 'allow', deny: 'deny' } as const;
/** One of the AclEffects values. */
export type AclEffect = (typeof AclEffects)[keyof typeof AclEffects];

/** One ACL rule; `topic` is a topic filter that may hold %u, %c, %e and %% template variables. */
export interface AclRule {
  id: string;
  /** 'role:<role>' | 'user:<username>' | 'endpoint:<endpoint id>' | 'client:<client id>' | '*' */
  subject: string;
  action: AclAction;
  topic: string;
  effect: AclEffect;
  description?: string;
}

/** Who is asking; an empty field never matches a subject nor fills a template. */
export interface AclIdentity {
  username: string;
  clientId: string;
  endpointId: string;
  role: string;
}

/** What is asked: a topic name for publish, a topic filter (maybe `$share/<group>/<filter>`) for subscribe. */
export interface AclCheck {
  action: AclAction;
  topic: string;
}

/** The answer; `ruleId` names the deciding rule, if one decided. */
export interface AclDecision {
  allow: boolean;
  ruleId: string | undefined;
  reason: string;
}

/** True when `value` is one of the AclActions values. */
export function isAclAction(value: unknown): value is AclAction {
  return value === AclActions.publish || value === AclActions.subscribe;
}

/** True when `value` is one of the AclEffects values. */
export function isAclEffect(value: unknown): value is AclEffect {
  return value === AclEffects.allow || value === AclEffects.deny;
}
