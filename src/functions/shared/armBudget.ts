/** The subscription request budget entity's name and operations (see functions/armBudgetEntity.ts). */
export const ARM_BUDGET_ENTITY = 'armBudget';

export const ArmBudgetOperations = {
  /** Input `{ reads, writes }`; returns the epoch ms from which they may be spent. */
  reserve: 'reserve',
  /** Input `{ reads, writes }` reserved but not spent. */
  refund: 'refund',
  /** Input `{ kind, retryAfterMs }`: ARM answered 429. */
  throttled: 'throttled',
  /** Returns the state (counters), for status and the bench. */
  read: 'read',
} as const;

/** The entity key of a subscription. */
export function budgetKey(subscriptionId: string): string {
  return subscriptionId.toLowerCase();
}
