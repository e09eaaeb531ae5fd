import { TerminalError, TransientError } from '../../../src/resources/errors';
import { backoffDelay, defaultRetryPolicy, withTransientRetry } from '../../../src/resources/reconcile';

const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/natGateways/n';

describe('backoffDelay', () => {
  it('never waits less than ARM’s Retry-After, even above the backoff cap', () => {
    expect(backoffDelay(defaultRetryPolicy, 1, 1500)).toBe(1500);
    const small = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 50 };
    expect(backoffDelay(small, 1, 2000)).toBe(2000);
    expect(backoffDelay(defaultRetryPolicy, 1, 4 * 60_000)).toBe(4 * 60_000);
    expect(backoffDelay(defaultRetryPolicy, 1, 5 * 60_000)).toBe(5 * 60_000);
  });

  it('gives no delay (stop retrying) when ARM asks for more than the ceiling', () => {
    expect(backoffDelay(defaultRetryPolicy, 1, 5 * 60_000 + 1)).toBeUndefined();
    expect(backoffDelay({ ...defaultRetryPolicy, retryAfterCeilingMs: 100 }, 1, 101)).toBeUndefined();
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

  it('waits what ARM asked for beyond maxDelayMs, and stops rather than retry early past the ceiling', async () => {
    const slept: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      slept.push(ms);
      return Promise.resolve();
    };
    let calls = 0;
    await expect(
      withTransientRetry(
        id,
        () => {
          calls++;
          if (calls === 1)
            throw new TransientError('TooManyRequests', 'slow down', id, { retryAfterMs: 2000 });
          throw new TransientError('TooManyRequests', 'much later', id, { retryAfterMs: 60 * 60_000 });
        },
        { retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5 }, sleep },
      ),
    ).rejects.toMatchObject({ armCode: 'TooManyRequests', retryAfterMs: 60 * 60_000 });
    expect(slept).toEqual([2000]);
    expect(calls).toBe(2);
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
