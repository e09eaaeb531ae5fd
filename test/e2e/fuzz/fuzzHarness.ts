/**
 * The permanent suite's invariants and its one table. Every answer is checked as it arrives: never a
 * 5xx; a 4xx carries a JSON body that names the problem; it comes within the budget (a multiple of a
 * baseline request measured in the same run, never a fixed figure); a probe sent alongside is served
 * too; a refused request makes no ARM write.
 */
import fc from 'fast-check';

import { FUNCTION_KEY } from '../iaas/iaasHarness';

/** FUZZ_RUNS=<n> runs many more cases; `npm test` runs a fixed, modest number. */
export function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env['FUZZ_RUNS'] ?? '');
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
}

/**
 * Crash and fault cases per kind (host killed, emulator killed, transient faults, terminal fault): one
 * in `npm test`; FUZZ_CRASH_CASES=<n> runs n of each (else FUZZ_RUNS/100, so FUZZ_RUNS=1000 runs 10).
 */
export function crashCases(): number {
  const cases = Number(process.env['FUZZ_CRASH_CASES'] ?? '');
  if (Number.isInteger(cases) && cases > 0) return cases;
  return Math.max(1, Math.ceil(Number(process.env['FUZZ_RUNS'] ?? '0') / 100));
}

/** CI replays one seed; FC_SEED replays a failure; local runs explore (as the property tests do). */
export function fuzzSeed(): number {
  const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261202' : undefined);
  return seed !== undefined ? Number(seed) : Math.floor(Math.random() * 2 ** 31);
}

export interface Answer {
  status: number;
  body: string;
  json: unknown;
  ms: number;
}

export async function send(
  baseUrl: string,
  method: string,
  route: string,
  body?: string | Uint8Array,
  contentType?: string,
): Promise<Answer> {
  const sep = route.includes('?') ? '&' : '?';
  const start = performance.now();
  const res = await fetch(`${baseUrl}/api/${route}${sep}code=${FUNCTION_KEY}`, {
    method,
    headers: contentType ? { 'content-type': contentType } : {},
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  const ms = performance.now() - start;
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json, ms };
}

/** The message a 4xx body gives: `errors[].message` (spec problems) or `error.message`. */
export function problemOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { errors, error } = json as { errors?: unknown; error?: unknown };
  if (Array.isArray(errors) && errors.length > 0) {
    const messages = errors.map((e) => (e as { message?: unknown } | null)?.message);
    if (messages.every((m) => typeof m === 'string' && m.length > 0)) return messages.join('; ');
  }
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message.length > 0 ? message : undefined;
}

/** One row per part of the suite; printed as one table at the end of the run. */
export class SuiteTable {
  inputs = 0;
  fiveHundreds = 0;
  slowestMs = 0;
  slowestLabel = '';
  baselineMs = 0;
  killsSurvived = 0;
  duplicateWrites = 0;
  orphans = 0;
  faultsInjected = 0;
  readonly violations: string[] = [];

  answered(label: string, answer: Answer): void {
    this.inputs++;
    if (answer.status >= 500) this.fiveHundreds++;
    if (answer.ms > this.slowestMs) {
      this.slowestMs = answer.ms;
      this.slowestLabel = label;
    }
  }

  violation(text: string): void {
    this.violations.push(text);
  }

  render(seed: number): string {
    const rows: [string, string][] = [
      ['seed', String(seed)],
      ['inputs tried', String(this.inputs)],
      ['5xx seen', String(this.fiveHundreds)],
      [
        'slowest answer',
        `${Math.round(this.slowestMs)} ms (${(this.slowestMs / Math.max(1, this.baselineMs)).toFixed(1)}x a valid dry run: ${this.slowestLabel})`,
      ],
      ['kills survived', String(this.killsSurvived)],
      ['ARM faults injected', String(this.faultsInjected)],
      ['duplicate writes', String(this.duplicateWrites)],
      ['orphans', String(this.orphans)],
      ['invariant violations', String(this.violations.length)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    return [
      'permanent suite (hostile input, crash recovery, ARM faults)',
      ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`),
    ].join('\n');
  }
}

export { fc };
