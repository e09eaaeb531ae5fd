/**
 * The `nodePool` entity, one per node pool (key `<cluster>:<pool>`): a thin shell over the pure state
 * machine in cluster/scaling/nodePoolState.ts. Durable entities process one operation at a time per
 * key, which is what makes "at most one scale operation per pool" and exactly-once event handling hold.
 */
import type { EntityContext } from 'durable-functions';
import * as df from 'durable-functions';

import { applyRequest, nextStep, type NodePoolState, retire } from '../cluster/scaling/nodePoolState';
import {
  type EntityNextInput,
  type EntityNextOutput,
  type EntityRequestInput,
  type EntityRequestOutput,
  type EntityRetireOutput,
  NodePoolOperations,
  ScalingFunctions,
} from './scaling/scalingFunctions';

df.app.entity(ScalingFunctions.nodePoolEntity, {
  handler: (context: EntityContext<NodePoolState>) => {
    const state = context.df.getState();
    switch (context.df.operationName) {
      case NodePoolOperations.request: {
        const input = context.df.getInput<EntityRequestInput>();
        if (!input) throw new Error('request needs an input');
        const out = applyRequest(state, input.request, input.ctx);
        context.df.setState(out.state);
        context.df.return<EntityRequestOutput>(out.result);
        return;
      }
      case NodePoolOperations.next: {
        const input = context.df.getInput<EntityNextInput>();
        if (!input) throw new Error('next needs an input');
        if (!state) {
          context.df.return<EntityNextOutput>({ kind: 'done', reason: 'the pool has no scaling state' });
          return;
        }
        const out = nextStep(state, input.operationId, input.clock, input.report);
        context.df.setState(out.state);
        context.df.return<EntityNextOutput>(out.next);
        return;
      }
      case NodePoolOperations.retire: {
        if (!state) {
          context.df.return<EntityRetireOutput>({ nodes: [], running: false });
          return;
        }
        const out = retire(state);
        context.df.setState(out.state);
        context.df.return<EntityRetireOutput>({ nodes: out.nodes, running: out.running });
        return;
      }
      case NodePoolOperations.end:
        // The cluster is deleted: the pool's state goes with it.
        context.df.destructOnExit();
        return;
      default:
        throw new Error(`unknown nodePool operation "${String(context.df.operationName)}"`);
    }
  },
});
