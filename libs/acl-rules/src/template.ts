// Rule topic templates: %u username, %c client id, %e endpoint id, %% a literal '%'.
// Expansion is injection-proof: a value that could change the shape of the filter makes the
// expansion unsafe instead of producing a wider (or narrower) filter than the rule's author wrote.
import type { AclIdentity } from './model.ts';
import { isDollarTopic, validateTopicFilter } from './topic.ts';

/** The template variables and the identity field each one reads. */
export const TemplateVariables = { u: 'username', c: 'clientId', e: 'endpointId' } as const;
/** A template variable letter. */
export type TemplateVariable = keyof typeof TemplateVariables;

/** A parsed template: literal text and variables, in order. */
export type TemplateSegment =
  { readonly literal: string } | { readonly variable: TemplateVariable };

/** A template parsed into segments, or the reason it is not a template. */
export type ParsedTemplate =
  | {
      readonly ok: true;
      readonly segments: readonly TemplateSegment[];
      readonly hasVariables: boolean;
    }
  | { readonly ok: false; readonly problem: string };

/** A template expanded for one identity, or why that identity cannot use it safely. */
export type TemplateExpansion =
  { readonly ok: true; readonly topic: string } | { readonly ok: false; readonly problem: string };

const VARIABLE_NAMES: Readonly<Record<TemplateVariable, string>> = {
  u: 'username',
  c: 'client id',
  e: 'endpoint id',
};

function isTemplateVariable(letter: string): letter is TemplateVariable {
  return letter === 'u' || letter === 'c' || letter === 'e';
}

/** Splits a template into literal text and variables; any '%' not starting %u, %c, %e or %% is a problem. */
export function parseTemplate(template: string): ParsedTemplate {
  const segments: TemplateSegment[] = [];
  let literal = '';
  let hasVariables = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char !== '%') {
      literal += char;
      continue;
    }
    const next = template[i + 1];
    if (next === undefined)
      return { ok: false, problem: "a lone '%' ends the topic (write %% for a literal %)" };
    i++;
    if (next === '%') {
      literal += '%';
    } else if (isTemplateVariable(next)) {
      if (literal !== '') segments.push({ literal });
      literal = '';
      segments.push({ variable: next });
      hasVariables = true;
    } else {
      return { ok: false, problem: `unknown template variable %${next} (use %u, %c, %e or %%)` };
    }
  }
  if (literal !== '') segments.push({ literal });
  return { ok: true, segments, hasVariables };
}

/** Checks a rule topic template: known variables, and a valid filter once each variable is a plain value. */
export function validateTopicTemplate(template: string): string | undefined {
  if (typeof template !== 'string') return 'must be a string';
  const parsed = parseTemplate(template);
  if (!parsed.ok) return parsed.problem;
  // 'x' stands for any safe value: safe values never hold '/', '+', '#' or U+0000.
  const placeholder = parsed.segments.map((s) => ('literal' in s ? s.literal : 'x')).join('');
  return validateTopicFilter(placeholder);
}

/** Why a value may not be substituted into a topic, or undefined when it is safe. */
function unsafeValueProblem(
  name: string,
  value: unknown,
  atTopicStart: boolean,
): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `${name} is empty`;
  if (value.includes('/')) return `${name} contains '/'`;
  if (value.includes('+')) return `${name} contains '+'`;
  if (value.includes('#')) return `${name} contains '#'`;
  if (value.includes('\u0000')) return `${name} contains U+0000`;
  if (!value.isWellFormed()) return `${name} is not well-formed UTF-16`;
  // A value opening the topic must not turn it into a server-reserved $-topic [MQTT-4.7.2-1].
  if (atTopicStart && isDollarTopic(value))
    return `${name} starts with '$' at the start of the topic`;
  return undefined;
}

/** Expands a parsed template for an identity, explaining why when the identity cannot use it safely. */
export function expandSegments(
  segments: readonly TemplateSegment[],
  identity: AclIdentity,
): TemplateExpansion {
  let topic = '';
  for (const segment of segments) {
    if ('literal' in segment) {
      topic += segment.literal;
      continue;
    }
    const value = identity[TemplateVariables[segment.variable]];
    const problem = unsafeValueProblem(VARIABLE_NAMES[segment.variable], value, topic === '');
    if (problem !== undefined) return { ok: false, problem };
    topic += value;
  }
  // A long value can still push the filter past the size limit [MQTT-4.7.3-3].
  const filterProblem = validateTopicFilter(topic);
  if (filterProblem !== undefined) return { ok: false, problem: `expanded topic ${filterProblem}` };
  return { ok: true, topic };
}

/** Expands a template for an identity, explaining why when the template or the identity is unusable. */
export function expandTemplateDetailed(template: string, identity: AclIdentity): TemplateExpansion {
  if (typeof template !== 'string') return { ok: false, problem: 'template is not a string' };
  const parsed = parseTemplate(template);
  if (!parsed.ok) return parsed;
  return expandSegments(parsed.segments, identity);
}

/** The template with the identity's values substituted; undefined when unsafe or invalid. */
export function expandTemplate(template: string, identity: AclIdentity): string | undefined {
  const expansion = expandTemplateDetailed(template, identity);
  return expansion.ok ? expansion.topic : undefined;
}
