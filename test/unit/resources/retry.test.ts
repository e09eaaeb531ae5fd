import { TerminalError, TransientError } from '../../../src/resources/errors';
import { backoffDelay, defaultRetryPolicy, withTransientRetry } from '../../../src/resources/reconcile';

const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/natGateways/n';

describe('backoffDelay', () => {
  it('honours ARM’s Retry-After, capped by the policy', () => {
    expect(backoffDelay(defaultRetryPolicy, 1, 1500)).toBe(1500);
    expect(backoffDelay(defaultRetryPolicy, 1, 10 * 60_000)).toBe(defaultRetryPolicy.maxDelayMs);
  });

  it('grows exponentially with at most 20 % jitter, up to the cap', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    for (const [attempt, nominal] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
      [5, 1000],
      [9, 1000],
    ] as const) {
      const d = backoffDelay(policy, attempt);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(d).toBeLessThanOrEqual(nominal);
    }
  });
});

describe('withTransientRetry', () => {
  it('retries transient failures with the requested delays, then succeeds', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withTransientRetry(
      id,
      () => {
        calls++;
        if (calls === 1) throw new TransientError('TooManyRequests', 'slow down', id, { retryAfterMs: 7 });
        if (calls === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return Promise.resolve('ok');
      },
      {
        retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 5 },
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(slept[0]).toBe(7);
    expect(slept[1]).toBeGreaterThanOrEqual(16);
  });

  it('stops at once on a terminal error and after the last attempt on transient ones', async () => {
    let calls = 0;
    const sleep = (): Promise<void> => Promise.resolve();
    await expect(
      withTransientRetry(
        id,
        () => {
          calls++;
          throw new TerminalError('QuotaExceeded', 'no', id);
        },
        { sleep },
      ),
    ).rejects.toMatchObject({ armCode: 'QuotaExceeded' });
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      withTransientRetry(
        id,
        () => {
          calls++;
          throw new TransientError('AnotherOperationInProgress', 'busy', id);
        },
        { sleep, retry: { maxAttempts: 3 } },
      ),
    ).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(3);
  });
});
