/**
 * A small evaluator of ARM template JSON, enough to expand `infra/main.json` into the resources it
 * deploys (ids, api-versions, bodies) without Azure: the template language's expressions for the
 * functions the template uses, resource copy loops, conditions, extension scopes and nested
 * deployments into other resource groups. Runtime values (`reference(id).x`) come out as the deploy
 * plan's `runtimeRef(id, x)` markers, so both can be compared as data. An unknown function is an error.
 */
import { createHash } from 'node:crypto';

import { runtimeRef } from '../../../deploy/plan';

type Value = unknown;

export interface TemplateResource {
  id: string;
  type: string;
  apiVersion: string;
  resourceGroup: string;
  body: Record<string, unknown>;
}

export interface TemplateContext {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  parameters: Record<string, Value>;
}

/** What `reference(id)` returns: property access yields the runtime marker. */
class Reference {
  constructor(readonly id: string) {}
}

interface Scope {
  ctx: TemplateContext;
  parameters: Record<string, Value>;
  variable(name: string): Value;
  copyIndex?: number;
}

// ---------- expression parsing ----------

type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

function parseExpression(text: string): Node {
  let pos = 0;
  const peek = (): string => text[pos] ?? '';
  const skip = (): void => {
    while (/\s/.test(peek())) pos++;
  };
  const expect = (ch: string): void => {
    skip();
    if (text[pos] !== ch) throw new Error(`expected '${ch}' at ${pos} in ${text}`);
    pos++;
  };
  const primary = (): Node => {
    skip();
    if (peek() === "'") {
      pos++;
      let s = '';
      for (;;) {
        if (pos >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[pos] === "'") {
          if (text[pos + 1] === "'") {
            s += "'";
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        s += text[pos++];
      }
      return { kind: 'literal', value: s };
    }
    const num = /^-?\d+/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][\w]*/.exec(text.slice(pos));
    if (!ident) throw new Error(`unexpected '${peek()}' at ${pos} in ${text}`);
    pos += ident[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (peek() === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (peek() === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: ident[0], args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (peek() === '.') {
        pos++;
        const ident = /^[A-Za-z_][\w]*/.exec(text.slice(pos));
        if (!ident) throw new Error(`expected a property name at ${pos} in ${text}`);
        pos += ident[0].length;
        node = { kind: 'property', target: node, name: ident[0] };
      } else if (peek() === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (pos !== text.length) throw new Error(`trailing text at ${pos} in ${text}`);
  return node;
}

// ---------- functions ----------

function str(v: Value, what: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Reference) throw new Error(`${what}: a whole reference() is not a string`);
  throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
}

function arr(v: Value, what: string): Value[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array, got ${JSON.stringify(v)}`);
  return v;
}

/** A deterministic GUID from the arguments (not ARM's algorithm: names are not compared). */
function guid(parts: string[]): string {
  const h = createHash('sha1').update(parts.join('-')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function interleave(type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length)
    throw new Error(`resource type ${type} needs ${types.length} names, got ${names.join('/')}`);
  return `${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

/** .NET composite formatting as ARM's format() does it: {0}, with {{ and }} for braces. */
function format(template: string, args: Value[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = args[Number(i)];
    if (v === undefined) throw new Error(`format: no argument {${i}}`);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function call(name: string, args: Value[], scope: Scope): Value {
  const { ctx } = scope;
  const rgId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}`;
  switch (name.toLowerCase()) {
    case 'parameters': {
      const p = str(args[0], name);
      if (!(p in scope.parameters)) throw new Error(`parameters('${p}') is not defined`);
      return scope.parameters[p];
    }
    case 'variables':
      return scope.variable(str(args[0], name));
    case 'format':
      return format(str(args[0], name), args.slice(1));
    case 'concat':
      return Array.isArray(args[0])
        ? args.flatMap((a) => arr(a, name))
        : args.map((a) => str(a, name)).join('');
    case 'union': {
      const seen = new Set<string>();
      return args
        .flatMap((a) => arr(a, name))
        .filter((v) => !seen.has(JSON.stringify(v)) && seen.add(JSON.stringify(v)));
    }
    case 'tolower':
      return str(args[0], name).toLowerCase();
    case 'replace':
      return str(args[0], name).split(str(args[1], name)).join(str(args[2], name));
    case 'take': {
      const n = args[1] as number;
      return typeof args[0] === 'string' ? args[0].slice(0, n) : arr(args[0], name).slice(0, n);
    }
    case 'empty': {
      const v = args[0];
      if (v === null || v === undefined) return true;
      if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
      if (typeof v === 'object') return Object.keys(v).length === 0;
      return false;
    }
    case 'if':
      return args[0] === true ? args[1] : args[2];
    case 'contains': {
      const [c, item] = args;
      if (typeof c === 'string') return c.includes(str(item, name));
      if (Array.isArray(c)) return c.some((v) => JSON.stringify(v) === JSON.stringify(item));
      return Object.prototype.hasOwnProperty.call(c, str(item, name));
    }
    case 'createarray':
      return [...args];
    case 'createobject': {
      const o: Record<string, Value> = {};
      for (let i = 0; i < args.length; i += 2) o[str(args[i], name)] = args[i + 1];
      return o;
    }
    case 'length':
      return typeof args[0] === 'string' ? args[0].length : arr(args[0], name).length;
    case 'join':
      return arr(args[0], name)
        .map((v) => str(v, name))
        .join(str(args[1], name));
    case 'null':
      return null;
    case 'copyindex':
      if (scope.copyIndex === undefined) throw new Error('copyIndex() outside a copy loop');
      return scope.copyIndex + ((args[0] as number | undefined) ?? 0);
    case 'resourcegroup':
      return { id: rgId, name: ctx.resourceGroup, location: ctx.location };
    case 'subscription':
      return { id: `/subscriptions/${ctx.subscriptionId}`, subscriptionId: ctx.subscriptionId };
    case 'resourceid': {
      const parts = args.map((a) => str(a, name));
      const typeAt = parts.findIndex((p) => p.includes('/'));
      const base =
        typeAt === 0
          ? rgId
          : typeAt === 1
            ? `/subscriptions/${ctx.subscriptionId}/resourceGroups/${parts[0]}`
            : `/subscriptions/${parts[0]}/resourceGroups/${parts[1]}`;
      return `${base}/providers/${interleave(parts[typeAt]!, parts.slice(typeAt + 1))}`;
    }
    case 'subscriptionresourceid': {
      const parts = args.map((a) => str(a, name));
      return `/subscriptions/${ctx.subscriptionId}/providers/${interleave(parts[0]!, parts.slice(1))}`;
    }
    case 'reference':
      return new Reference(str(args[0], name));
    case 'guid':
      return guid(args.map((a) => str(a, name)));
    default:
      throw new Error(`the test's evaluator does not know the template function ${name}()`);
  }
}

function evaluateNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'call':
      return call(
        node.name,
        node.args.map((a) => evaluateNode(a, scope)),
        scope,
      );
    case 'property': {
      const target = evaluateNode(node.target, scope);
      if (target instanceof Reference) return runtimeRef(target.id, node.name);
      if (target === null || typeof target !== 'object')
        throw new Error(`.${node.name} of ${JSON.stringify(target)}`);
      const value = (target as Record<string, Value>)[node.name];
      if (value === undefined) throw new Error(`no property ${node.name} in ${JSON.stringify(target)}`);
      return value;
    }
    case 'index': {
      const target = arr(evaluateNode(node.target, scope), 'index');
      const i = evaluateNode(node.index, scope);
      if (typeof i !== 'number' || target[i] === undefined)
        throw new Error(`index ${String(i)} out of range`);
      return target[i];
    }
  }
}

/** Evaluates a template value: expressions in strings and keys, recursively; null-valued properties dropped. */
export function evaluateValue(value: Value, scope: Scope): Value {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']'))
      return evaluateNode(parseExpression(value.slice(1, -1)), scope);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, scope));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(value)) {
      const evaluated = evaluateValue(v, scope);
      if (evaluated !== null) out[str(evaluateValue(k, scope), 'key')] = evaluated;
    }
    return out;
  }
  return value;
}

type JsonTemplate = {
  parameters?: Record<string, { defaultValue?: Value }>;
  variables?: Record<string, Value>;
  resources: Record<string, Value>[];
};

/** Expands a template into the resources it deploys, nested deployments included. */
export function evaluateTemplate(template: JsonTemplate, ctx: TemplateContext): TemplateResource[] {
  const parameters: Record<string, Value> = {};
  const cache = new Map<string, Value>();
  const scope: Scope = {
    ctx,
    parameters,
    variable(name) {
      if (!cache.has(name)) {
        const raw = template.variables?.[name];
        if (raw === undefined) throw new Error(`variables('${name}') is not defined`);
        cache.set(name, evaluateValue(raw, scope));
      }
      return cache.get(name);
    },
  };
  for (const [name, def] of Object.entries(template.parameters ?? {})) {
    if (name in ctx.parameters) parameters[name] = ctx.parameters[name];
    else if (def.defaultValue !== undefined) parameters[name] = evaluateValue(def.defaultValue, scope);
    else throw new Error(`parameter ${name} has no value`);
  }

  const out: TemplateResource[] = [];
  for (const resource of template.resources) {
    const copy = resource['copy'] as { count: Value } | undefined;
    const count = copy ? (evaluateValue(copy.count, scope) as number) : 1;
    for (let i = 0; i < count; i++) {
      const local: Scope = copy ? { ...scope, copyIndex: i } : scope;
      if (resource['type'] === 'Microsoft.Resources/deployments') {
        if (resource['condition'] !== undefined && evaluateValue(resource['condition'], local) === false)
          continue;
        // scope: inner — the nested template sees only the parameters passed to it.
        const group = str(
          evaluateValue(resource['resourceGroup'] ?? ctx.resourceGroup, local),
          'resourceGroup',
        );
        const props = resource['properties'] as { parameters: Value; template: JsonTemplate };
        const passed = evaluateValue(props.parameters, local) as Record<string, { value: Value }>;
        const inner: Record<string, Value> = {};
        for (const [k, v] of Object.entries(passed)) inner[k] = v.value;
        out.push(...evaluateTemplate(props.template, { ...ctx, resourceGroup: group, parameters: inner }));
        continue;
      }
      const { copy: _copy, dependsOn: _deps, ...rest } = resource;
      const r = evaluateValue(rest, local) as Record<string, Value>;
      if (r['condition'] === false) continue;
      const type = str(r['type'], 'type');
      const name = str(r['name'], 'name');
      const rgId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}`;
      const id =
        r['scope'] !== undefined
          ? `${str(r['scope'], 'scope')}/providers/${type}/${name}`
          : `${rgId}/providers/${interleave(type, name.split('/'))}`;
      const body: Record<string, unknown> = {};
      for (const key of ['location', 'tags', 'kind', 'sku', 'identity', 'properties'])
        if (r[key] !== undefined) body[key] = r[key];
      out.push({
        id,
        type,
        apiVersion: str(r['apiVersion'], 'apiVersion'),
        resourceGroup: ctx.resourceGroup,
        body,
      });
    }
  }
  return out;
}
