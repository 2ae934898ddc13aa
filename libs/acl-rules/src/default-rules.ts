// The built-in USP policy (TR-369 MQTT MTP): each device reads only its own agent topics and
// answers only on controller topics named after itself; controllers drive every agent.
import { AclRuleError } from './errors.ts';
import type { AclAction, AclRule } from './model.ts';
import { parseRule } from './rule.ts';
import { isDollarTopic, splitLevels, validateTopicName } from './topic.ts';

import { ANONYMOUS_ROLE as ANONYMOUS, Roles } from '@octomesh/contracts';

/** The role the broker gives USP agents (devices). */
export const DEVICE_ROLE = Roles.device;
/** The role the broker gives USP controllers. */
export const CONTROLLER_ROLE = Roles.controller;
/** The role of operators, who may read and write everything including $SYS. */
export const ADMIN_ROLE = Roles.admin;
/** The role the broker gives unauthenticated clients, only when started with --allow-anonymous. */
export const ANONYMOUS_ROLE = ANONYMOUS;

/** Every id of a built-in rule starts with this. */
export const DEFAULT_RULE_ID_PREFIX = 'default:';

/** Why a USP topic prefix cannot be used, or undefined when it is fine. */
export function validateUspPrefix(prefix: string): string | undefined {
  const problem = validateTopicName(prefix);
  if (problem !== undefined) return problem;
  if (splitLevels(prefix).includes(''))
    return "must not start or end with '/' nor hold empty levels";
  // Wildcard-first rules such as the admin '#' never reach $-topics [MQTT-4.7.2-1].
  if (isDollarTopic(prefix))
    return "must not start with '$' (reserved for the server) [MQTT-4.7.2-1]";
  return undefined;
}

// TR-369 MQTT 3.1.1 agents publish to `<controller topic>/reply-to=<agent topic>` with each
// '/' of the agent topic written as %2F. The literal part as template text ('%' doubled).
function replyToLevel(prefix: string): string {
  return `${prefix.replaceAll('/', '%2F')}%2Fagent%2F`.replaceAll('%', '%%');
}

/** The built-in rules for a USP topic prefix such as 'oktopus/usp/v1'; ids start with 'default:'. */
export function defaultUspRules(prefix: string): AclRule[] {
  const problem = validateUspPrefix(prefix);
  if (problem !== undefined)
    throw new AclRuleError(`invalid USP topic prefix ${JSON.stringify(prefix)}`, [
      `prefix ${problem}`,
    ]);
  // The prefix is literal text inside a template, so its '%' must not read as a variable.
  const p = prefix.replaceAll('%', '%%');
  const allow = (
    role: string,
    name: string,
    action: AclAction,
    topic: string,
    description: string,
  ): AclRule =>
    parseRule({
      id: `${DEFAULT_RULE_ID_PREFIX}${role}:${name}`,
      subject: `role:${role}`,
      action,
      topic,
      effect: 'allow',
      description,
    });
  return [
    allow(
      DEVICE_ROLE,
      'subscribe-agent',
      'subscribe',
      `${p}/agent/%e`,
      'a device reads USP records sent to its own endpoint',
    ),
    allow(
      DEVICE_ROLE,
      'subscribe-agent-tree',
      'subscribe',
      `${p}/agent/%e/#`,
      'a device reads the topics below its own endpoint',
    ),
    allow(
      DEVICE_ROLE,
      'publish-controller',
      'publish',
      `${p}/controller`,
      'a device sends USP records to the controllers',
    ),
    allow(
      DEVICE_ROLE,
      'publish-controller-reply',
      'publish',
      `${p}/controller/%e`,
      'a device answers on the reply topic named after itself',
    ),
    allow(
      DEVICE_ROLE,
      'publish-controller-reply-to',
      'publish',
      `${p}/controller/reply-to=${replyToLevel(prefix)}%e`,
      'an MQTT 3.1.1 agent sends records naming its own agent topic as the reply-to',
    ),
    allow(
      DEVICE_ROLE,
      'publish-api',
      'publish',
      `${p}/api/%e`,
      'a device answers API requests on its own topic',
    ),
    // <p>/status/<endpoint> is written by the broker alone (connection state), so no role may publish it.
    allow(
      CONTROLLER_ROLE,
      'publish-agent',
      'publish',
      `${p}/agent/#`,
      'a controller sends USP records to any device',
    ),
    allow(
      CONTROLLER_ROLE,
      'subscribe-controller',
      'subscribe',
      `${p}/controller/#`,
      'a controller reads what devices send',
    ),
    allow(
      CONTROLLER_ROLE,
      'subscribe-api',
      'subscribe',
      `${p}/api/#`,
      'a controller reads device API answers',
    ),
    allow(
      CONTROLLER_ROLE,
      'subscribe-status',
      'subscribe',
      `${p}/status/#`,
      'a controller reads device connection status',
    ),
    allow(
      ADMIN_ROLE,
      'publish-all',
      'publish',
      '#',
      'an operator may publish anywhere but $-topics',
    ),
    allow(
      ADMIN_ROLE,
      'subscribe-all',
      'subscribe',
      '#',
      'an operator may read everything but $-topics',
    ),
    allow(
      ADMIN_ROLE,
      'subscribe-sys',
      'subscribe',
      '$SYS/#',
      'an operator may read broker statistics',
    ),
    allow(
      ANONYMOUS_ROLE,
      'publish-all',
      'publish',
      '#',
      'development only: the role exists only with --allow-anonymous',
    ),
    allow(
      ANONYMOUS_ROLE,
      'subscribe-all',
      'subscribe',
      '#',
      'development only: the role exists only with --allow-anonymous',
    ),
  ];
}
