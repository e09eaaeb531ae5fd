/**
 * The `armBudget` entity, one per subscription (key: the subscription id, lower case): the request
 * budget every orchestration of the subscription draws from (cluster/budget/requestBudget.ts).
 *
 * Why an entity and not a token bucket in each process: on Azure Functions the app scales out to
 * several instances, each with its own memory; a per-process bucket would let N instances spend N
 * budgets. An entity is one serialized state per key across all instances. Its cost is one entity call
 * per batch of requests (a batch is up to tens of resources), not per request.
 */
import type { EntityContext } from 'durable-functions';
import * as df from 'durable-functions';

import {
  type BudgetKind,
  type BudgetLimits,
  budgetLimitsFromEnv,
  type BudgetState,
  refund,
  type Reservation,
  reserve,
  throttled,
} from '../cluster/budget/requestBudget';
import { ARM_BUDGET_ENTITY, ArmBudgetOperations } from './shared/armBudget';

let limits: BudgetLimits | undefined;

df.app.entity(ARM_BUDGET_ENTITY, {
  handler: (context: EntityContext<BudgetState>) => {
    limits ??= budgetLimitsFromEnv(process.env);
    const state = context.df.getState();
    const now = Date.now();
    switch (context.df.operationName) {
      case ArmBudgetOperations.reserve: {
        const want = context.df.getInput<Reservation>() ?? { reads: 0, writes: 0 };
        const out = reserve(state, want, limits, now);
        context.df.setState(out.state);
        context.df.return(out.notBefore);
        return;
      }
      case ArmBudgetOperations.refund: {
        const unused = context.df.getInput<Reservation>() ?? { reads: 0, writes: 0 };
        context.df.setState(refund(state, unused, limits, now));
        return;
      }
      case ArmBudgetOperations.throttled: {
        const input = context.df.getInput<{ kind: BudgetKind; retryAfterMs: number }>();
        if (!input) throw new Error('throttled needs an input');
        context.df.setState(throttled(state, input.kind, input.retryAfterMs, limits, now));
        return;
      }
      case ArmBudgetOperations.read:
        context.df.return(state ?? {});
        return;
      default:
        throw new Error(`unknown armBudget operation "${String(context.df.operationName)}"`);
    }
  },
});
