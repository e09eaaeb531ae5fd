/**
 * ASP.NET-style route templates as the Functions host accepts them: literal segments (case-insensitive),
 * `{name}`, optional `{name?}`, defaults `{name=value}`, catch-all `{*rest}`, and inline constraints such
 * as `{id:int}` or `{slug:regex(^[a-z]+$)}`. Constraints the host knows are checked; unknown ones are
 * tolerated (they match anything) rather than failing the app.
 */
export interface CompiledRoute {
  template: string;
  /** Lower ranks sort first: literal segments beat parameters, which beat optionals and catch-alls. */
  rank: number[];
  /** Matches a path relative to the route prefix (with or without a leading slash); undefined when not. */
  match(path: string): Record<string, string> | undefined;
}

export class RouteTemplateError extends Error {
  override readonly name = 'RouteTemplateError';
}

interface Param {
  name: string;
  constraints: string[];
  defaultValue?: string;
  optional: boolean;
}

const PARAM = /\{([^{}]+)\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseParam(body: string, template: string): Param & { catchAll: boolean } {
  let text = body.trim();
  let catchAll = false;
  if (text.startsWith('*')) {
    catchAll = true;
    text = text.replace(/^\*+/, '');
  }
  let optional = false;
  let defaultValue: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
    optional = true;
  }
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  // Constraints are separated by ':' but a regex(...) argument may itself contain ':'.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const [name = '', ...constraints] = parts;
  if (!/^[A-Za-z_][\w]*$/.test(name)) {
    throw new RouteTemplateError(`Route "${template}" has an invalid parameter "{${body}}".`);
  }
  return { name, constraints, defaultValue, optional, catchAll };
}

function numberArgs(constraint: string): number[] {
  const inner = /\(([^)]*)\)/.exec(constraint)?.[1] ?? '';
  return inner.split(',').map((s) => Number(s.trim()));
}

function satisfies(value: string, constraint: string): boolean {
  const name = constraint.replace(/\(.*$/s, '').toLowerCase();
  switch (name) {
    case 'int':
    case 'long':
      return /^-?\d+$/.test(value);
    case 'double':
    case 'decimal':
    case 'float':
      return value.trim() !== '' && Number.isFinite(Number(value));
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'guid':
      return /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(value);
    case 'datetime':
      return !Number.isNaN(Date.parse(value));
    case 'minlength':
      return value.length >= (numberArgs(constraint)[0] ?? 0);
    case 'maxlength':
      return value.length <= (numberArgs(constraint)[0] ?? Infinity);
    case 'length': {
      const [a = 0, b] = numberArgs(constraint);
      return b === undefined ? value.length === a : value.length >= a && value.length <= b;
    }
    case 'min':
      return Number(value) >= (numberArgs(constraint)[0] ?? -Infinity);
    case 'max':
      return Number(value) <= (numberArgs(constraint)[0] ?? Infinity);
    case 'range': {
      const [a = -Infinity, b = Infinity] = numberArgs(constraint);
      return Number(value) >= a && Number(value) <= b;
    }
    case 'regex': {
      const source = /^regex\((.*)\)$/is.exec(constraint)?.[1];
      if (source === undefined) return true;
      try {
        return new RegExp(source, 'i').test(value);
      } catch {
        return true;
      }
    }
    default:
      return true;
  }
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split('/').filter((s) => s !== '');
  const params: (Param & { catchAll: boolean })[] = [];
  const rank: number[] = [];
  let source = '^';
  segments.forEach((segment, index) => {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    if (whole) {
      const param = parseParam(whole[1]!, template);
      params.push(param);
      if (param.catchAll) {
        if (index !== segments.length - 1) {
          throw new RouteTemplateError(
            `Route "${template}": a catch-all parameter must be the last segment.`,
          );
        }
        source += '(?:/(.*))?';
        rank.push(4);
      } else if (param.optional) {
        source += '(?:/([^/]+))?';
        rank.push(3);
      } else {
        source += '/([^/]+)';
        rank.push(param.constraints.length > 0 ? 1 : 2);
      }
      return;
    }
    // A segment mixing literals and parameters, e.g. `{name}.json`.
    let segmentSource = '';
    let last = 0;
    let hasParam = false;
    for (const m of segment.matchAll(PARAM)) {
      segmentSource += escapeRegExp(segment.slice(last, m.index));
      const param = parseParam(m[1]!, template);
      params.push({ ...param, optional: false, catchAll: false });
      segmentSource += '([^/]+?)';
      last = m.index + m[0].length;
      hasParam = true;
    }
    segmentSource += escapeRegExp(segment.slice(last));
    source += `/${segmentSource}`;
    rank.push(hasParam ? 1 : 0);
  });
  source += '/?$';
  const regex = new RegExp(source, 'i');
  return {
    template,
    rank,
    match(path: string) {
      const normalized = path.startsWith('/') ? path : `/${path}`;
      const m = regex.exec(normalized === '/' ? '' : normalized);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < params.length; i++) {
        const param = params[i]!;
        const raw = m[i + 1];
        if (raw === undefined || raw === '') {
          if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
          continue;
        }
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return undefined;
        }
        if (!param.constraints.every((c) => satisfies(value, c))) return undefined;
        values[param.name] = value;
      }
      return values;
    },
  };
}

/** Orders routes so that the most specific template is tried first, as ASP.NET routing does. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.rank.length, b.rank.length);
  for (let i = 0; i < length; i++) {
    const x = a.rank[i] ?? -1;
    const y = b.rank[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
