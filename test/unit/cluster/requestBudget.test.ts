import {
  type BudgetLimits,
  budgetLimitsFromEnv,
  refund,
  reserve,
  throttled,
} from '../../../src/cluster/budget/requestBudget';

const limits: BudgetLimits = {
  reads: { burst: 10, perSecond: 5 },
  writes: { burst: 4, perSecond: 2 },
  timeScale: 1,
};

describe('subscription request budget', () => {
  it('lets a burst through at once, then spaces requests at the sustained rate', () => {
    const first = reserve(undefined, { reads: 0, writes: 4 }, limits, 1_000);
    expect(first.notBefore).toBe(1_000);
    // Two more writes: the bucket is empty, 2 writes/s → one second later.
    const second = reserve(first.state, { reads: 0, writes: 2 }, limits, 1_000);
    expect(second.notBefore).toBe(2_000);
    // Served in arrival order: the next caller queues behind, even for one write.
    const third = reserve(second.state, { reads: 0, writes: 1 }, limits, 1_000);
    expect(third.notBefore).toBe(2_500);
    // Reads have their own bucket: not held back by the writes' queue.
    expect(reserve(third.state, { reads: 3, writes: 0 }, limits, 1_000).notBefore).toBe(1_000);
  });

  it('never lets more through over time than the sustained rate after the burst', () => {
    let state = reserve(undefined, { reads: 0, writes: 0 }, limits, 0).state;
    let last = 0;
    for (let i = 0; i < 100; i++) {
      const r = reserve(state, { reads: 0, writes: 1 }, limits, 0);
      state = r.state;
      last = r.notBefore;
    }
    // 100 writes = 4 of burst + 96 at 2/s.
    expect(last).toBe(48_000);
  });

  it('refunds what was reserved but not sent', () => {
    const taken = reserve(undefined, { reads: 0, writes: 4 }, limits, 0);
    const back = refund(taken.state, { reads: 0, writes: 4 }, limits, 0);
    expect(reserve(back, { reads: 0, writes: 4 }, limits, 0).notBefore).toBe(0);
  });

  it("pushes the whole subscription back by a 429's Retry-After", () => {
    const state = throttled(undefined, 'writes', 3_000, limits, 10_000);
    expect(reserve(state, { reads: 0, writes: 1 }, limits, 10_000).notBefore).toBeGreaterThanOrEqual(13_000);
    expect(reserve(state, { reads: 1, writes: 0 }, limits, 10_000).notBefore).toBe(10_000);
  });

  it('runs on the emulator clock when given a time scale', () => {
    const fast = { ...limits, timeScale: 0.25 };
    const first = reserve(undefined, { reads: 0, writes: 6 }, fast, 0);
    // 2 writes beyond the burst at 2/s of Azure time = 1 s of Azure time = 250 ms of wall clock.
    expect(first.notBefore).toBe(250);
  });

  it('reads its settings, naming a malformed one', () => {
    expect(budgetLimitsFromEnv({ ARM_BUDGET_WRITES_PER_SECOND: '5' }).writes.perSecond).toBe(5);
    expect(budgetLimitsFromEnv({}).writes.perSecond).toBeLessThan(10);
    expect(() => budgetLimitsFromEnv({ ARM_BUDGET_TIME_SCALE: 'fast' })).toThrow(/ARM_BUDGET_TIME_SCALE/);
  });
});
