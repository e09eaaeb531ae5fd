import { randomUUID } from 'node:crypto';

/**
 * A fault to inject into ARM requests that match `method` (any when absent) and `path` (a regular
 * expression, case-insensitive, tested against the URL path without its query). It fires `count`
 * times (default 1) and then does one of: answer with `status`/`code`/`message`/`headers`, wait
 * `delayMs` before handling the request normally, or let the request start a long-running
 * operation that ends Failed with `lroFailure`.
 */
export interface FaultRule {
  method?: string;
  path: string;
  count?: number;
  status?: number;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  lroFailure?: { code: string; message: string };
}

interface ActiveFault {
  readonly id: string;
  readonly rule: FaultRule;
  readonly pattern: RegExp;
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  /** Validates and adds a rule; returns its id. */
  add(input: unknown): string {
    const rule = parseFaultRule(input);
    const id = randomUUID();
    this.faults.push({ id, rule, pattern: new RegExp(rule.path, 'i'), remaining: rule.count ?? 1 });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  list(): { id: string; remaining: number; rule: FaultRule }[] {
    return this.faults.map((f) => ({ id: f.id, remaining: f.remaining, rule: f.rule }));
  }

  /** The first rule matching the request, consumed once; exhausted rules are dropped. */
  take(method: string, path: string): { id: string; rule: FaultRule } | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.rule.method === undefined || f.rule.method.toUpperCase() === method.toUpperCase()) &&
        f.pattern.test(path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { id: fault.id, rule: fault.rule };
  }
}

function parseFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('fault rule must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const rule: FaultRule = { path: '' };
  if (typeof raw.path !== 'string' || raw.path === '') {
    throw new Error('fault rule.path must be a non-empty regular expression string');
  }
  try {
    new RegExp(raw.path, 'i');
  } catch (err) {
    throw new Error(`fault rule.path is not a valid regular expression: ${String(err)}`, {
      cause: err,
    });
  }
  rule.path = raw.path;
  if (raw.method !== undefined) {
    if (typeof raw.method !== 'string') throw new Error('fault rule.method must be a string');
    rule.method = raw.method;
  }
  if (raw.count !== undefined) {
    if (typeof raw.count !== 'number' || !Number.isInteger(raw.count) || raw.count < 1) {
      throw new Error('fault rule.count must be a positive integer');
    }
    rule.count = raw.count;
  }
  if (raw.status !== undefined) {
    if (typeof raw.status !== 'number' || raw.status < 400 || raw.status > 599) {
      throw new Error('fault rule.status must be an HTTP error status (400-599)');
    }
    rule.status = raw.status;
  }
  if (raw.code !== undefined) {
    if (typeof raw.code !== 'string') throw new Error('fault rule.code must be a string');
    rule.code = raw.code;
  }
  if (raw.message !== undefined) {
    if (typeof raw.message !== 'string') throw new Error('fault rule.message must be a string');
    rule.message = raw.message;
  }
  if (raw.headers !== undefined) {
    const headers = raw.headers;
    if (
      typeof headers !== 'object' ||
      headers === null ||
      Object.values(headers).some((v) => typeof v !== 'string')
    ) {
      throw new Error('fault rule.headers must be an object of string values');
    }
    rule.headers = headers as Record<string, string>;
  }
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== 'number' || raw.delayMs < 0) {
      throw new Error('fault rule.delayMs must be a non-negative number');
    }
    rule.delayMs = raw.delayMs;
  }
  if (raw.lroFailure !== undefined) {
    const failure = raw.lroFailure as Record<string, unknown> | null;
    if (
      typeof failure !== 'object' ||
      failure === null ||
      typeof failure.code !== 'string' ||
      typeof failure.message !== 'string'
    ) {
      throw new Error('fault rule.lroFailure must be { code: string, message: string }');
    }
    rule.lroFailure = { code: failure.code, message: failure.message };
  }
  if (rule.status === undefined && rule.delayMs === undefined && rule.lroFailure === undefined) {
    throw new Error('fault rule needs one of status, delayMs or lroFailure');
  }
  return rule;
}
