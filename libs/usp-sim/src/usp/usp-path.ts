// USP Path Names (TR-369 "Path Names" and "Searching"): `Device.DeviceInfo.` (an object: the
// Partial Path of Get), `Device.Time.NTPServer1` (a parameter), `Device.Reboot()` (a command),
// `Device.Boot!` (an event), instance numbers, the `*` wildcard and search expressions such as
// `[Enable==true&&ExternalPort>1024]` on the instance's own parameters. Reference following
// (`#`, `+`) and expressions on sub-object parameters are refused with 7008. `{i}` is accepted
// only where the Supported Data Model notation is (GetSupportedDM).
import { UspError, UspErrorCodes } from './usp-error-codes.ts';

/** Comparison operators of a search expression. */
export type SearchOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One `param <op> value` term of a search expression (terms are joined by `&&`). */
export interface SearchCondition {
  readonly param: string;
  readonly operator: SearchOperator;
  readonly value: string;
}

/** One level of the object part of a path. */
export type PathSegment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'instance'; readonly instance: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'search'; readonly conditions: readonly SearchCondition[] }
  | { readonly kind: 'supported' };

/** What a path ends with. */
export type PathLeaf =
  | { readonly kind: 'object' }
  | { readonly kind: 'parameter' | 'command' | 'event'; readonly name: string };

/** A parsed Path Name. */
export interface UspPath {
  readonly text: string;
  /** The object part, up to the object the path addresses (or the leaf's object). */
  readonly segments: readonly PathSegment[];
  readonly leaf: PathLeaf;
  /** A Search Path: it holds a wildcard or a search expression. */
  readonly isSearch: boolean;
}

/** Options of {@link parseUspPath}. */
export interface ParseUspPathOptions {
  /** Accept `{i}` (Supported Data Model notation). */
  supportedNotation?: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INSTANCE = /^[1-9][0-9]{0,9}$/;
const CONDITION = /^([^=!<>]*)(==|!=|<=|>=|<|>)(.*)$/s;

/** Parses a Path Name; throws UspError 7008 (Invalid path syntax) when it is not one we accept. */
export function parseUspPath(text: string, options: ParseUspPathOptions = {}): UspPath {
  const fail = (why: string): UspError =>
    new UspError(UspErrorCodes.invalidPathSyntax, `invalid path ${JSON.stringify(text)}: ${why}`);
  if (text.length === 0) throw fail('empty');
  const parts = splitLevels(text, fail);
  const last = parts.pop()!;
  if (parts.length === 0) throw fail('a path starts with an object name and a dot');
  let isSearch = false;
  const segments = parts.map((part): PathSegment => {
    if (part === '') throw fail('empty level');
    if (NAME.test(part)) return { kind: 'name', name: part };
    if (INSTANCE.test(part) && Number(part) <= 0xffffffff)
      return { kind: 'instance', instance: Number(part) };
    if (part === '*') {
      isSearch = true;
      return { kind: 'wildcard' };
    }
    if (part === '{i}') {
      if (options.supportedNotation !== true) throw fail('{i} belongs to GetSupportedDM only');
      return { kind: 'supported' };
    }
    if (part.startsWith('[') && part.endsWith(']')) {
      isSearch = true;
      return { kind: 'search', conditions: parseSearchExpression(part.slice(1, -1), fail) };
    }
    if (/[#+]/.test(part)) throw fail('reference following (# and +) is not supported');
    throw fail(`${JSON.stringify(part)} is not a name, instance number, * or [expression]`);
  });
  if (segments[0]?.kind !== 'name') throw fail('a path starts with an object name');
  return { text, segments, leaf: parseLeaf(last, fail), isSearch };
}

/** Renders a path's object part back to text, for messages and resolved paths. */
export function formatSegments(segments: readonly PathSegment[]): string {
  return segments.map((s) => `${formatSegment(s)}.`).join('');
}

/** Renders one level of a path's object part. */
export function formatSegment(segment: PathSegment): string {
  switch (segment.kind) {
    case 'name':
      return segment.name;
    case 'instance':
      return String(segment.instance);
    case 'wildcard':
      return '*';
    case 'supported':
      return '{i}';
    case 'search':
      return `[${segment.conditions.map((c) => `${c.param}${c.operator}${JSON.stringify(c.value)}`).join('&&')}]`;
  }
}

function parseLeaf(last: string, fail: (why: string) => UspError): PathLeaf {
  if (last === '') return { kind: 'object' };
  if (last.endsWith('()') && NAME.test(last.slice(0, -2))) return { kind: 'command', name: last };
  if (last.endsWith('!') && NAME.test(last.slice(0, -1))) return { kind: 'event', name: last };
  if (NAME.test(last)) return { kind: 'parameter', name: last };
  if (last === '*' || INSTANCE.test(last) || last.startsWith('['))
    throw fail("an object path ends with '.'");
  throw fail(`${JSON.stringify(last)} is not a parameter, command or event name`);
}

// Splits on '.' outside [...] and "...": values in search expressions may hold dots.
function splitLevels(text: string, fail: (why: string) => UspError): string[] {
  const parts: string[] = [];
  let current = '';
  let inBrackets = false;
  let inQuotes = false;
  for (const char of text) {
    if (inQuotes) {
      current += char;
      if (char === '"') inQuotes = false;
      continue;
    }
    if (char === '"') {
      if (!inBrackets) throw fail('quotes outside a search expression');
      inQuotes = true;
    } else if (char === '[') {
      if (inBrackets) throw fail('nested [');
      inBrackets = true;
    } else if (char === ']') {
      if (!inBrackets) throw fail('] without [');
      inBrackets = false;
    } else if (char === '.' && !inBrackets) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (inQuotes) throw fail('unterminated quote');
  if (inBrackets) throw fail('unterminated [');
  parts.push(current);
  return parts;
}

function parseSearchExpression(
  expression: string,
  fail: (why: string) => UspError,
): SearchCondition[] {
  const terms = splitTerms(expression);
  if (terms.length === 0 || terms.some((t) => t.trim() === ''))
    throw fail('empty search expression term');
  return terms.map((term) => {
    const match = CONDITION.exec(term);
    if (match === null) throw fail(`search term ${JSON.stringify(term)} has no operator`);
    const param = match[1]!.trim();
    const operator = match[2] as SearchOperator;
    const raw = match[3]!.trim();
    if (param.includes('.') || /[#+]/.test(param))
      throw fail('search expressions on sub-objects or references are not supported');
    if (!NAME.test(param)) throw fail(`${JSON.stringify(param)} is not a parameter name`);
    return { param, operator, value: parseValue(raw, fail) };
  });
}

// Splits on '&&' outside quoted values.
function splitTerms(expression: string): string[] {
  const terms: string[] = [];
  let current = '';
  let inQuotes = false;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    if (char === '"') inQuotes = !inQuotes;
    if (!inQuotes && char === '&' && expression[i + 1] === '&') {
      terms.push(current);
      current = '';
      i++;
      continue;
    }
    current += char;
  }
  terms.push(current);
  return terms;
}

// Quoted values may percent-encode '"' and '%' (TR-369 search expression values).
function parseValue(raw: string, fail: (why: string) => UspError): string {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) throw fail('unterminated quoted value');
    const inner = raw.slice(1, -1);
    if (inner.includes('"')) throw fail('a quote inside a value must be written %22');
    return inner.replace(/%22/gi, '"').replace(/%25/g, '%');
  }
  if (raw === '' || /\s/.test(raw)) throw fail('an unquoted value is one word');
  return raw;
}
