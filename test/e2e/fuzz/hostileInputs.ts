/**
 * What the permanent suite throws at the API: structure-aware mutations of the valid examples (drop,
 * duplicate, retype, oversize, unicode, nulls, huge numbers), and raw hostile bodies (key and alias
 * bombs, deep nesting, invalid UTF-8, wrong content types, huge bodies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';
import { parse, stringify } from 'yaml';

import { SPEC_LIMITS } from '../../../src/cluster/specLimits';

export interface HostileInput {
  label: string;
  body: string | Uint8Array;
  contentType?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

const ROOT = path.resolve(__dirname, '../../..');
const examples: Record<string, Json> = Object.fromEntries(
  fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => [file, parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as Json]),
);

/** Every path in a value (the root is []), depth first. */
function pathsOf(value: Json, prefix: Segment[] = []): Segment[][] {
  const out: Segment[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => out.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...pathsOf(item, [...prefix, key]));
  return out;
}

/** A copy of `value` with the node at `at` replaced (or removed when `replacement` is undefined). */
function withNode(value: Json, at: readonly Segment[], replacement: Json | undefined): Json | undefined {
  if (at.length === 0) return replacement;
  const [head, ...rest] = at as [Segment, ...Segment[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = withNode(copy[head as number] ?? null, rest, replacement);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...value };
    const next = withNode(copy[head as string] ?? null, rest, replacement);
    if (next === undefined) delete copy[head as string];
    else copy[head as string] = next;
    return copy;
  }
  return value;
}

const hugeNumbers = fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 1e-300, 4294967296, -1, 1.5);
const oddStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    'ü',
    '😀',
    '../..',
    '%2F',
    '${x}',
    '*a',
    '&a',
    '!!binary',
    '- x',
  ),
  fc.constant('x'.repeat(100_000)),
);
const replacements: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  hugeNumbers,
  oddStrings,
  fc.array(fc.oneof(fc.integer(), oddStrings), { maxLength: 4 }),
  fc.constant(Array.from({ length: 5_000 }, (_, i) => i)),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), value: replacements }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/yaml',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'image/png',
  undefined,
);

/** A valid example, changed one to three times, as JSON or YAML, under any content type. */
export const mutatedExample: fc.Arbitrary<HostileInput> = fc
  .record({
    example: fc.constantFrom(...Object.keys(examples)),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    format: fc.constantFrom('json', 'yaml'),
    contentType: contentTypes,
  })
  .map(({ example, mutations, format, contentType }) => {
    let value: Json = examples[example] ?? null;
    const labels: string[] = [];
    let duplicate: Segment[] | undefined;
    for (const m of mutations) {
      const paths = pathsOf(value);
      const at = paths[m.at % paths.length] ?? [];
      labels.push(`${m.kind} ${at.join('.') || '(root)'}`);
      if (m.kind === 'drop') value = withNode(value, at, undefined) ?? null;
      else if (m.kind === 'retype') value = withNode(value, at, m.value) ?? null;
      else duplicate = at;
    }
    let text = format === 'json' ? JSON.stringify(value, null, 1) : stringify(value);
    if (duplicate !== undefined) text = duplicateLine(text, duplicate.length);
    return {
      label: `${example} ${format}: ${labels.join(', ')}`,
      body: text,
      ...(contentType ? { contentType } : {}),
    };
  });

/** Repeats one line (a key, a list item) of the text: a duplicate key wherever that line is a key. */
function duplicateLine(text: string, seed: number): string {
  const lines = text.split('\n');
  const index = (seed * 7919) % Math.max(1, lines.length - 1);
  const line = lines[index] ?? '';
  const repeat = line.trimEnd().endsWith(',') || !text.trimStart().startsWith('{') ? line : `${line},`;
  lines.splice(index, 0, repeat);
  return lines.join('\n');
}

/** Bodies no spec looks like, each a known way to hurt a parser or a server. */
export function rawHostileBodies(): HostileInput[] {
  const iaas = fs.readFileSync(path.join(ROOT, 'examples/iaas-cluster.yaml'), 'utf8');
  const invalidUtf8 = Buffer.concat([Buffer.from(iaas.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xff, 0xfe])]);
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    laughs.push(
      `l${i}: &l${i} [${Array(10)
        .fill(i === 1 ? '*a' : `*l${i - 1}`)
        .join(', ')}]`,
    );
  return [
    {
      label: 'YAML key bomb (40,000 keys)',
      body: Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n'),
    },
    {
      label: 'JSON key bomb (40,000 keys)',
      body: `{${Array.from({ length: 40_000 }, (_, i) => `"k${i}":1`).join(',')}}`,
    },
    {
      label: 'YAML flow keys (30,000)',
      body: `x: {${Array.from({ length: 30_000 }, (_, i) => `k${i}: 1`).join(', ')}}`,
    },
    { label: '150 aliases', body: `a: &a [1]\nb: [${Array(150).fill('*a').join(', ')}]` },
    { label: 'billion laughs', body: laughs.join('\n') },
    { label: 'flow nesting 100,000', body: '['.repeat(100_000) + ']'.repeat(100_000) },
    { label: 'block nesting 1,000 (a 2 KB body)', body: `${'- '.repeat(1_000)}1` },
    { label: 'block nesting 100,000', body: `${'- '.repeat(100_000)}1` },
    {
      label: 'map nesting 500',
      body: Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    },
    {
      label: 'JSON nesting 100,000',
      body: `{"type":"iaas","tags":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    },
    {
      label: 'duplicate JSON keys',
      body: '{"type":"iaas","name":"a","name":"b"}',
      contentType: 'application/json',
    },
    { label: 'invalid UTF-8', body: invalidUtf8, contentType: 'application/yaml' },
    { label: 'byte-order mark + NUL', body: `\ufeff${iaas}\u0000` },
    { label: 'NUL bytes only', body: '\u0000'.repeat(1000) },
    { label: 'empty body', body: '' },
    { label: 'just over the limit', body: `${iaas}#${'x'.repeat(SPEC_LIMITS.bytes)}` },
    { label: 'a 4 MiB body', body: 'x'.repeat(4 * 1024 * 1024) },
    { label: 'an XML body', body: '<?xml version="1.0"?><cluster/>', contentType: 'application/xml' },
    { label: 'a form body', body: 'type=iaas&name=demo', contentType: 'application/x-www-form-urlencoded' },
    {
      label: 'multipart',
      body: '--x\r\ncontent-disposition: form-data; name="f"\r\n\r\ntype: iaas\r\n--x--',
      contentType: 'multipart/form-data; boundary=x',
    },
    { label: 'YAML tags and merge keys', body: `${iaas}\nextra: !!binary aGVsbG8=\nm: {<<: {a: 1}}\n` },
    { label: 'many documents', body: Array(1000).fill('---\na: 1').join('\n') },
    { label: '100,000 newlines', body: '\n'.repeat(100_000) },
    { label: 'huge number', body: `${iaas.replace('count: 6', `count: 1${'0'.repeat(400)}`)}` },
  ];
}

/** Cluster names for GET and DELETE: empty, huge, encoded, unicode, a zone instance's suffix. */
export const hostileNames: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    'demo:zone-1',
    'cluster-demo',
    'a'.repeat(5_000),
    '😀',
    ' ',
    'demo?x=1',
    'demo#',
  ),
);
