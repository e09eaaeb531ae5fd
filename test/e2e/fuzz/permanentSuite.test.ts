/**
 * The permanent suite (issue 16): seeded, counted, and run by `npm test` with a fixed number of cases
 * (FUZZ_RUNS=<n> runs more; FC_SEED=<seed> replays one run). It prints one table.
 *
 * Hostile input: every input goes to POST /api/clusters?dryRun=true; one that is refused goes again
 * without dryRun. Both answers, and a probe sent alongside, must keep the invariants of fuzzHarness.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type Environment, ROOT, startEnvironment } from '../iaas/iaasHarness';
import { type Answer, fc, fuzzRuns, fuzzSeed, problemOf, send, SuiteTable } from './fuzzHarness';
import { type HostileInput, hostileNames, mutatedExample, rawHostileBodies } from './hostileInputs';

const seed = fuzzSeed();
const table = new SuiteTable();
let env: Environment;
let budgetMs = 0;

function check(label: string, answer: Answer): void {
  table.answered(label, answer);
  if (answer.status >= 500) table.violation(`${label}: ${answer.status} ${answer.body.slice(0, 200)}`);
  if (answer.status >= 400 && answer.status < 500 && problemOf(answer.json) === undefined)
    table.violation(
      `${label}: ${answer.status} without a JSON body naming the problem: ${answer.body.slice(0, 200)}`,
    );
  if (answer.ms > budgetMs)
    table.violation(`${label}: answered in ${Math.round(answer.ms)} ms (budget ${budgetMs} ms)`);
}

/** The request, and a GET sent while it is being handled: both answered within the budget. */
async function withProbe(label: string, request: () => Promise<Answer>): Promise<Answer> {
  const probe = new Promise<void>((resolve) => setTimeout(resolve, 2)).then(() =>
    send(env.host.url, 'GET', 'clusters'),
  );
  const [answer, probed] = await Promise.all([request(), probe]);
  check(`probe during ${label}`, probed);
  if (probed.status !== 200) table.violation(`probe during ${label}: ${probed.status}`);
  return answer;
}

async function postSpec(input: HostileInput): Promise<void> {
  const writes = env.api.writes();
  const url = env.host.url;
  const dry = await withProbe(input.label, () =>
    send(url, 'POST', 'clusters?dryRun=true', input.body, input.contentType),
  );
  check(`${input.label} (dry run)`, dry);
  if (dry.status >= 400) {
    const real = await withProbe(input.label, () =>
      send(url, 'POST', 'clusters', input.body, input.contentType),
    );
    check(input.label, real);
    if (real.status !== dry.status)
      table.violation(`${input.label}: ${dry.status} on a dry run but ${real.status}`);
  }
  if (env.api.writes() !== writes) table.violation(`${input.label}: a refused request wrote to ARM`);
}

beforeAll(async () => {
  env = await startEnvironment(0.02);
  const valid = fs.readFileSync(path.join(ROOT, 'examples/iaas-cluster.yaml'), 'utf8');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await send(env.host.url, 'POST', 'clusters?dryRun=true', valid, 'application/yaml');
    if (answer.status !== 200) throw new Error(`baseline dry run: ${answer.status} ${answer.body}`);
    times.push(answer.ms);
  }
  table.baselineMs = times.sort((a, b) => a - b)[2] ?? 0;
  // Generous: a shared 2-core machine. Before the limits, one body held the thread for 21 s.
  budgetMs = Math.round(Math.max(30 * table.baselineMs, 3_000));
});

afterAll(async () => {
  console.log(table.render(seed));
  await env?.close();
});

describe('permanent suite: hostile input', () => {
  it('raw hostile bodies: no 5xx, a JSON problem for each 4xx, within budget, no ARM write', async () => {
    for (const input of rawHostileBodies()) await postSpec(input);
    expect(table.violations).toEqual([]);
  });

  it('mutated examples: the same invariants', async () => {
    const inputs = fc.sample(mutatedExample, { seed, numRuns: fuzzRuns(40) });
    for (const input of inputs) await postSpec(input);
    expect(table.violations).toEqual([]);
  });

  it('hostile cluster names on GET and DELETE: 4xx with a JSON problem, no ARM write', async () => {
    const writes = env.api.writes();
    const names = fc.sample(hostileNames, { seed: seed + 1, numRuns: fuzzRuns(40) });
    // "." and ".." are dot segments: the URL drops them before any server sees a name.
    for (const name of names.filter((n) => n !== '.' && n !== '..')) {
      for (const method of ['GET', 'DELETE']) {
        const label = `${method} clusters/${JSON.stringify(name.slice(0, 40))}`;
        const answer = await withProbe(label, () =>
          send(env.host.url, method, `clusters/${encodeURIComponent(name)}`),
        );
        check(label, answer);
        if (answer.status < 400)
          table.violation(`${label}: ${answer.status} for a cluster that does not exist`);
      }
    }
    for (const value of ['yes', '', 'TRUE ', '1'.repeat(10_000), '\u0000']) {
      const label = `dryRun=${JSON.stringify(value.slice(0, 20))}`;
      const answer = await send(
        env.host.url,
        'POST',
        `clusters?dryRun=${encodeURIComponent(value)}`,
        'type: iaas',
      );
      check(label, answer);
    }
    expect(env.api.writes()).toBe(writes);
    expect(table.violations).toEqual([]);
  });
});
