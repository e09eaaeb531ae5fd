/**
 * Spec text built to hurt: key and alias bombs, deep nesting, duplicate keys, oversize bodies,
 * overlapping ranges. Each answer is a list of errors naming what and where, never a throw, and costs
 * about what a harmless spec of the same size costs (time is compared within this run, never to a
 * fixed figure: the machine is shared and noisy).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parse } from 'yaml';

import { SPEC_LIMITS } from '../../../src/cluster/specLimits';
import { parseClusterSpec, type SpecError } from '../../../src/cluster/validate';

const ROOT = path.resolve(__dirname, '../../..');
const example = (name: string) => fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');

function errorsOf(input: unknown): SpecError[] {
  let result: ReturnType<typeof parseClusterSpec>;
  try {
    result = parseClusterSpec(input);
  } catch (error) {
    throw new Error('parseClusterSpec threw instead of answering', { cause: error });
  }
  if (result.ok) throw new Error('expected errors, got a valid spec');
  return result.errors;
}

function expectError(input: unknown, path: string, message: RegExp): void {
  const errors = errorsOf(input);
  if (!errors.some((e) => e.path === path && message.test(e.message)))
    throw new Error(`no error at "${path}" matching ${String(message)}; got ${JSON.stringify(errors)}`);
}

/**
 * CPU milliseconds of the cheapest of `times` runs: CPU time, not wall-clock, so that other processes
 * on a shared machine do not count against the parser.
 */
function cheapest(run: () => unknown, times = 3): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** The IaaS example with a cloud-init block scalar padding it to `bytes`: harmless, the same size. */
function harmlessSpecOfSize(bytes: number): string {
  const head = `${example('iaas-cluster.yaml')}\ncontrolPlane:\n  cloudInit: |\n`;
  const line = '    echo hello world from a cloud-init script that is long enough\n';
  return (head + line.repeat(Math.ceil(bytes / line.length))).slice(0, bytes);
}

const keyBomb = Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n');
const jsonKeyBomb = `{${Array.from({ length: 40_000 }, (_, i) => `"k${i}":1`).join(',')}}`;

describe('spec text: cost bounded by its size, whatever its shape', () => {
  it.each([
    ['40,000 YAML keys', keyBomb],
    ['40,000 JSON keys', jsonKeyBomb],
    ['a flow list nested 200,000 deep', '['.repeat(200_000) + ']'.repeat(200_000)],
    ['a block list nested 100,000 deep', `${'- '.repeat(100_000)}1`],
    ['100,000 newlines', '\n'.repeat(100_000)],
    ['100,000 anchors', Array.from({ length: 100_000 }, (_, i) => `- &a${i} x`).join('\n')],
  ])('%s is answered in about the time of a harmless spec of its size', (_name, text) => {
    const size = Math.min(Buffer.byteLength(text), SPEC_LIMITS.bytes);
    const harmless = harmlessSpecOfSize(size);
    expect(errorsOf(harmless).length).toBeGreaterThan(0); // the padding makes cloud-init too long
    const baseline = cheapest(() => parseClusterSpec(harmless));
    expect(errorsOf(text).length).toBeGreaterThan(0);
    // Generous: the same order of cost. Before the limits, 40,000 YAML keys took 21 s.
    expect(cheapest(() => parseClusterSpec(text))).toBeLessThan(10 * baseline + 250);
  });

  it('refuses text over the size limit, naming the limit', () => {
    const text = `${example('iaas-cluster.yaml')}\n# ${'x'.repeat(SPEC_LIMITS.bytes)}\n`;
    expectError(text, '', /is \d+ bytes; the limit is 512 KiB \(524288 bytes\)/);
  });

  it('says which token limit a YAML bomb hit, and where', () => {
    expectError(keyBomb, '', /^too complex: more than 20000 YAML tokens .* at line \d+, column \d+$/);
    expectError(jsonKeyBomb, /* the key where it stopped */ 'k4999', /more than 10000 keys and values/);
  });
});

describe('spec text: every parse failure is an error that says what and where', () => {
  it('more than 100 aliases', () => {
    const text = `type: iaas\nanchor: &a [1]\nlist: [${Array.from({ length: 150 }, () => '*a').join(', ')}]\n`;
    expectError(text, '', /^more than 100 aliases \(\*name\) at line 3, column \d+$/);
  });

  it('aliases that expand too much (a billion laughs)', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    expectError(levels.join('\n'), '', /aliases|alias count|resource exhaustion/i);
  });

  it.each([
    ['a YAML flow list 5,000 deep', '['.repeat(5_000) + ']'.repeat(5_000), '', 1],
    ['a YAML block list 200 deep', `${'- '.repeat(200)}1`, '', 1],
    ['YAML maps 40 deep', Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n'), '', 33],
    [
      'a JSON list 20,000 deep',
      `{"type": "iaas", "tags": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      'tags' + '[0]'.repeat(31),
      1,
    ],
  ])('%s: "nested too deeply", not a stack overflow', (_name, text, where, line) => {
    expectError(
      text,
      where,
      new RegExp(`^nested too deeply: more than 32 levels of lists and maps at line ${line}, column \\d+$`),
    );
  });

  it('more than one YAML document', () => {
    expectError(
      `${example('iaas-cluster.yaml')}\n---\ntype: aks\n`,
      '',
      /more than one document at line \d+/,
    );
  });

  it('a list or map used as a key', () => {
    expectError('type: iaas\n? [a, b]\n: value\n', '', /a key must be a plain value/);
  });
});

describe('duplicate keys: refused in JSON as in YAML, naming the field', () => {
  const spec = parse(example('iaas-cluster.yaml')) as Record<string, unknown>;

  it.each([
    ['JSON at the root', '{"type": "iaas", "name": "a", "name": "b"}', 'name', 1],
    ['JSON, written with an escape', '{"type": "iaas", "\\u006eame": "a", "name": "b"}', 'name', 1],
    [
      'JSON in a pool',
      JSON.stringify({ ...spec, nodePools: [{ name: 'p', count: 1 }] }).replace(
        '"count":1',
        '"count":1,"count":2',
      ),
      'nodePools[0].count',
      1,
    ],
    ['YAML at the root', 'type: iaas\nname: a\nname: b\n', 'name', 3],
    [
      'YAML in a pool',
      'type: iaas\nnodePools:\n  - name: p\n    count: 1\n    count: 2\n',
      'nodePools[0].count',
      5,
    ],
    ['YAML, one key quoted', 'type: iaas\nname: a\n"name": b\n', 'name', 3],
  ])('%s', (_name, text, where, line) => {
    expectError(text, where, new RegExp(`^duplicate key.* at line ${line}, column \\d+$`));
  });

  it('a valid JSON spec with no duplicate is still accepted', () => {
    expect(parseClusterSpec(JSON.stringify(spec)).ok).toBe(true);
  });
});

describe('source-range lists: a range inside another is refused, naming both', () => {
  const iaas = example('iaas-cluster.yaml');
  const aks = example('aks-cluster.yaml');

  it.each([
    [
      'authorizedCidrs (IaaS)',
      iaas.replace(
        'authorizedCidrs: [203.0.113.0/24, 198.51.100.7]',
        'authorizedCidrs: [10.0.0.0/8, 203.0.113.0/24, 10.20.0.0/16]',
      ),
      'network.apiServer.authorizedCidrs[2]',
      '10.20.0.0/16 is inside 10.0.0.0/8 (item [0])',
    ],
    [
      'authorizedCidrs, an address inside a range (IaaS)',
      iaas.replace(
        'authorizedCidrs: [203.0.113.0/24, 198.51.100.7]',
        'authorizedCidrs: [203.0.113.9, 203.0.113.0/24]',
      ),
      'network.apiServer.authorizedCidrs[0]',
      '203.0.113.9/32 is inside 203.0.113.0/24 (item [1])',
    ],
    [
      'anywhere and more (IaaS)',
      iaas.replace(
        'authorizedCidrs: [203.0.113.0/24, 198.51.100.7]',
        'authorizedCidrs: [203.0.113.0/24, 0.0.0.0/0]',
      ),
      'network.apiServer.authorizedCidrs[0]',
      '203.0.113.0/24 is inside 0.0.0.0/0 (item [1])',
    ],
    [
      'sshAllowedCidrs',
      iaas.replace('sshAllowedCidrs: [10.0.255.0/27]', 'sshAllowedCidrs: [10.0.255.0/24, 10.0.255.0/27]'),
      'network.sshAllowedCidrs[1]',
      '10.0.255.0/27 is inside 10.0.255.0/24 (item [0])',
    ],
    [
      'authorizedCidrs (AKS)',
      // The example runs virtual nodes, which AKS refuses beside authorized ranges: turn them off here.
      aks
        .replace(/virtualNodes:\n {2}enabled: true[^\n]*/, 'virtualNodes:\n  enabled: false')
        .replace(
          'apiServer:\n  private: false',
          'apiServer:\n  private: false\n  authorizedCidrs: [203.0.113.128/25, 203.0.113.0/24]',
        ),
      'apiServer.authorizedCidrs[0]',
      '203.0.113.128/25 is inside 203.0.113.0/24 (item [1])',
    ],
  ])('%s', (_name, text, where, fragment) => {
    const errors = errorsOf(text);
    expect(errors).toContainEqual({ path: where, message: expect.stringContaining(fragment) as string });
  });

  it('1,000 neighbouring ranges are fine', () => {
    const ranges = Array.from({ length: 1_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const text = iaas.replace(
      'authorizedCidrs: [203.0.113.0/24, 198.51.100.7]',
      `authorizedCidrs: [${ranges.join(', ')}]`,
    );
    const result = parseClusterSpec(text);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
