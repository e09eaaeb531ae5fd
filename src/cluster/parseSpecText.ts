/**
 * Spec text → plain value, in time linear in the text and bounded by SPEC_LIMITS, whatever the text.
 *
 * JSON when it looks like JSON (better messages), YAML otherwise; duplicate keys are errors in both.
 * The yaml library's own duplicate check (`uniqueKeys`) compares every key with every other one of its
 * map (40,000 keys held the thread for 21 s), and its composer recurses once per level of nesting (a
 * 2 KB `- - - … 1` exhausts the heap), so YAML goes through its stages one at a time:
 *   1. lex, counting tokens, stopping at the limit (bounds everything after it);
 *   2. walk the syntax tree with an explicit stack: depth, values and aliases, each with its position;
 *   3. compose without `uniqueKeys`, then one pass over every map with a Set finds duplicate keys;
 *   4. toJS, guarded (the library refuses alias expansions that look like an attack).
 * Errors carry a message and the line and column, never the source text: a spec line may hold a
 * secret, and these messages reach the HTTP 400 body and the CLI's stderr.
 */
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node as YamlNode,
  Parser,
} from 'yaml';

import { scanJson } from './scanJson';
import { SPEC_LIMITS, specTooLargeMessage } from './specLimits';

export interface SpecTextError {
  path: string;
  message: string;
}

export type SpecTextResult = { ok: true; value: unknown } | { ok: false; errors: SpecTextError[] };

type Segment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

const fail = (path: string, message: string): SpecTextResult => ({ ok: false, errors: [{ path, message }] });

/** Line and column (1-based) of an offset, counting lines once, only when an error needs them. */
function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

export function parseSpecText(text: string): SpecTextResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SPEC_LIMITS.bytes) return fail('', specTooLargeMessage(bytes));
  if (text.trim() === '') return fail('', 'the spec is empty');
  return text.trimStart().startsWith('{') ? parseJson(text) : parseYaml(text);
}

/**
 * V8's JSON.parse messages quote the text around the error (`Unexpected token 'b', "{"key": "…" is not
 * valid JSON`); the quote is dropped, a position (other messages) kept.
 */
function jsonErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,\s[\s\S]* is not valid JSON$/, ' is not valid JSON');
}

function parseJson(text: string): SpecTextResult {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return fail('', `not valid JSON: ${jsonErrorMessage(error)}`);
  }
  const problem = scanJson(text);
  if (problem)
    return fail(formatPath(problem.path), `${problem.message} at ${position(text, problem.offset)}`);
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------
// YAML

function parseYaml(text: string): SpecTextResult {
  const lineCounter = new LineCounter();
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const tokens = lexAndParse(text, lineCounter);
  if (!tokens.ok) return fail('', `${tokens.message} at ${at(tokens.offset)}`);
  const shape = checkShape(tokens.tokens);
  if (shape) return fail('', `${shape.message} at ${at(shape.offset)}`);

  // prettyErrors would append a code frame (the offending line itself) to each message.
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false });
  const documents = Array.from(composer.compose(tokens.tokens, true, text.length));
  const document = documents[0];
  if (!document) return fail('', 'the spec is empty');
  const errors =
    documents.length > 1 ? [{ pos: documents[1]!.range, message: 'more than one document' }] : [];
  const all = [...document.errors.map((e) => ({ pos: e.pos, message: e.message })), ...errors];
  if (all.length > 0) {
    return {
      ok: false,
      errors: all.map((error) => ({
        path: '',
        message: `not valid YAML: ${error.message} at ${at(error.pos[0])}`,
      })),
    };
  }
  const keys = checkKeys(document);
  if (keys) return fail(formatPath(keys.path), `${keys.message} at ${at(keys.offset)}`);
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: SPEC_LIMITS.aliases }) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail('', `not valid YAML: ${message}`);
  }
}

function lexAndParse(
  text: string,
  lineCounter: LineCounter,
): { ok: true; tokens: CST.Token[] } | { ok: false; message: string; offset: number } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  let count = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (++count > SPEC_LIMITS.tokens) {
      return {
        ok: false,
        message: `too complex: more than ${SPEC_LIMITS.tokens} YAML tokens (keys, values, indicators; a cluster spec has a few hundred)`,
        offset: parser.offset,
      };
    }
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  return { ok: true, tokens };
}

/** Depth, values and aliases of the syntax tree, before anything recursive sees it. */
function checkShape(tokens: readonly CST.Token[]): { message: string; offset: number } | undefined {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  let values = 0;
  let aliases = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { token, depth } = next;
    switch (token.type) {
      case 'document':
        if (token.value) stack.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth >= SPEC_LIMITS.depth) {
          return {
            message: `nested too deeply: more than ${SPEC_LIMITS.depth} levels of lists and maps`,
            offset: token.offset,
          };
        }
        if (++values > SPEC_LIMITS.values) return tooManyValues(token.offset);
        for (const item of token.items) {
          if (item.key) stack.push({ token: item.key, depth: depth + 1 });
          if (item.value) stack.push({ token: item.value, depth: depth + 1 });
        }
        break;
      }
      case 'alias':
        if (++aliases > SPEC_LIMITS.aliases) {
          return { message: `more than ${SPEC_LIMITS.aliases} aliases (*name)`, offset: token.offset };
        }
        if (++values > SPEC_LIMITS.values) return tooManyValues(token.offset);
        break;
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'block-scalar':
        if (++values > SPEC_LIMITS.values) return tooManyValues(token.offset);
        break;
      default:
        break;
    }
  }
  return undefined;
}

const tooManyValues = (offset: number) => ({
  message: `more than ${SPEC_LIMITS.values} keys and values (a cluster spec has a few hundred)`,
  offset,
});

/** Every map's keys: strings (or numbers, booleans, null) and each once. One Set per map: linear. */
function checkKeys(document: Document): { path: Segment[]; message: string; offset: number } | undefined {
  const stack: { node: unknown; path: Segment[] }[] = [{ node: document.contents, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { node, path } = next;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        if (!isScalar(key)) {
          const offset = (key as YamlNode | null)?.range?.[0] ?? node.range?.[0] ?? 0;
          return {
            path,
            message: 'a key must be a plain value such as a name, not a list, map or alias',
            offset,
          };
        }
        const name = String(key.value);
        if (seen.has(name))
          return { path: [...path, name], message: 'duplicate key', offset: key.range?.[0] ?? 0 };
        seen.add(name);
        stack.push({ node: pair.value, path: [...path, name] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => stack.push({ node: item, path: [...path, index] }));
    } else if (isAlias(node)) {
      // its anchor's node is checked where it stands
    }
  }
  return undefined;
}
