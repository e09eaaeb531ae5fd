/**
 * The `aksEvents` entity, one per AKS cluster (key: its name): the node pool rolling states and new
 * Kubernetes versions AKS announced (pure rules in cluster/aksEventState.ts). Entities run one
 * operation at a time per key, so concurrent deliveries of one event are applied once.
 */
import type { EntityContext } from 'durable-functions';
import * as df from 'durable-functions';

import { type AksEvent, type AksEventsState, applyAksEvent } from '../cluster/aksEventState';
import { AKS_EVENTS_ENTITY, AksEventsOperations } from '../events/aksEvents';

df.app.entity(AKS_EVENTS_ENTITY, {
  handler: (context: EntityContext<AksEventsState>) => {
    switch (context.df.operationName) {
      case AksEventsOperations.apply: {
        const event = context.df.getInput<AksEvent>();
        if (!event) throw new Error('apply needs an event');
        const out = applyAksEvent(context.df.getState(), event);
        context.df.setState(out.state);
        context.df.return(out.outcome);
        return;
      }
      case AksEventsOperations.end:
        // The cluster is deleted: what AKS said about it goes with it.
        context.df.destructOnExit();
        return;
      default:
        throw new Error(`unknown aksEvents operation "${String(context.df.operationName)}"`);
    }
  },
});
