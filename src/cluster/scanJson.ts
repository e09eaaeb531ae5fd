/**
 * One linear pass over JSON text that JSON.parse has already accepted: finds what JSON.parse lets
 * through silently (a duplicate key, where the last one would win) and what would make later passes
 * expensive (too many values, too deep). Iterative, so depth costs no stack.
 */
import { SPEC_LIMITS } from './specLimits';

export interface JsonScanProblem {
  /** Path segments of the offending key or value. */
  path: (string | number)[];
  /** Offset in the text. */
  offset: number;
  message: string;
}

interface ObjectFrame {
  kind: 'object';
  keys: Set<string>;
  key: string | undefined;
  expectKey: boolean;
}
interface ArrayFrame {
  kind: 'array';
  index: number;
}
type Frame = ObjectFrame | ArrayFrame;

const pathOf = (stack: readonly Frame[]): (string | number)[] =>
  stack.map((frame) => (frame.kind === 'array' ? frame.index : (frame.key ?? '')));

/** End (exclusive) of the string literal starting at `start` (a `"`). The text is valid JSON. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

const isDelimiter = (code: number): boolean =>
  code === 44 || code === 93 || code === 125 || code === 32 || code === 10 || code === 13 || code === 9;

/** The first problem in `text` (valid JSON), or undefined. */
export function scanJson(text: string, limits = SPEC_LIMITS): JsonScanProblem | undefined {
  const stack: Frame[] = [];
  let values = 0;
  let i = 0;
  const tooMany = (offset: number): JsonScanProblem => ({
    path: pathOf(stack),
    offset,
    message: `more than ${limits.values} keys and values (a cluster spec has a few hundred)`,
  });
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const top = stack.at(-1);
    if (code === 123 /* { */ || code === 91 /* [ */) {
      if (++values > limits.values) return tooMany(i);
      if (stack.length >= limits.depth) {
        return {
          path: pathOf(stack),
          offset: i,
          message: `nested too deeply: more than ${limits.depth} levels of lists and maps`,
        };
      }
      stack.push(
        code === 123
          ? { kind: 'object', keys: new Set(), key: undefined, expectKey: true }
          : { kind: 'array', index: 0 },
      );
      i++;
    } else if (code === 125 /* } */ || code === 93 /* ] */) {
      stack.pop();
      i++;
    } else if (code === 44 /* , */) {
      if (top?.kind === 'array') top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (code === 34 /* " */) {
      const end = stringEnd(text, i);
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) {
          return {
            path: [...pathOf(stack.slice(0, -1)), key],
            offset: i,
            message: 'duplicate key (JSON would keep only the last one)',
          };
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      if (++values > limits.values) return tooMany(i);
      i = end;
    } else if (code === 58 /* : */ || isDelimiter(code)) {
      i++;
    } else {
      // a number, true, false or null
      if (++values > limits.values) return tooMany(i);
      while (i < text.length && !isDelimiter(text.charCodeAt(i))) i++;
    }
  }
  return undefined;
}
