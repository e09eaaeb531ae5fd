import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Expands a package.json `main` value the way the Functions Node worker does (it accepts a glob such as
 * `dist/src/{index.js,functions/*.js}`). Supports `{a,b}` (nested too), `*`, `?` and `**`, which covers
 * what Functions apps use, without adding a glob dependency. Returns absolute file paths in pattern order,
 * sorted within each wildcard, without duplicates.
 */
export function expandMainGlob(appDir: string, pattern: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const alternative of expandBraces(pattern.replace(/\\/g, '/'))) {
    const segments = alternative.split('/').filter((s, i) => s !== '' && !(s === '.' && i === 0));
    const base = path.isAbsolute(alternative) ? path.parse(path.resolve(alternative)).root : appDir;
    for (const file of matchSegments(base, segments)) {
      if (!seen.has(file)) {
        seen.add(file);
        files.push(file);
      }
    }
  }
  return files;
}

/** `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  // An unbalanced or comma-less brace is taken literally, as glob libraries do.
  if (close < 0 || commas.length === 0) {
    const rest = expandBraces(pattern.slice(open + 1));
    return rest.map((r) => pattern.slice(0, open + 1) + r);
  }
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1));
  const bounds = [open, ...commas, close];
  const result: string[] = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    const choice = pattern.slice(bounds[i]! + 1, bounds[i + 1]);
    for (const middle of expandBraces(choice)) {
      for (const tail of tails) result.push(head + middle + tail);
    }
  }
  return result;
}

function hasWildcard(segment: string): boolean {
  return /[*?]/.test(segment);
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (const ch of segment) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function listDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function matchSegments(dir: string, segments: string[]): string[] {
  const [segment, ...rest] = segments;
  if (segment === undefined) return isFile(dir) ? [dir] : [];
  if (segment === '**') {
    // `**` matches zero or more directories; dot-directories and node_modules are skipped like globs do.
    const results = matchSegments(dir, rest);
    for (const entry of listDir(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
        results.push(...matchSegments(path.join(dir, entry.name), segments));
      }
    }
    return results;
  }
  if (!hasWildcard(segment)) {
    const next = path.join(dir, segment);
    if (rest.length === 0) return isFile(next) ? [next] : [];
    return isDirectory(next) ? matchSegments(next, rest) : [];
  }
  const re = segmentRegExp(segment);
  const results: string[] = [];
  for (const entry of listDir(dir)) {
    if (entry.name.startsWith('.') && !segment.startsWith('.')) continue;
    if (re.test(entry.name)) results.push(...matchSegments(path.join(dir, entry.name), rest));
  }
  return results;
}
