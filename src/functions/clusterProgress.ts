/** The `clusterProgress` entity (one per cluster): nodes ready per zone during the current run. */
import type { EntityContext } from 'durable-functions';
import * as df from 'durable-functions';

import {
  applyNodeProgress,
  NODE_PROGRESS_ENTITY,
  type NodeProgressOperation,
  type NodeProgressState,
} from './shared/nodeProgress';

df.app.entity(NODE_PROGRESS_ENTITY, {
  handler: (context: EntityContext<NodeProgressState>) => {
    const op = context.df.operationName;
    if (op !== 'start' && op !== 'nodeReady') return;
    const operation = { op, input: context.df.getInput() } as NodeProgressOperation;
    context.df.setState(applyNodeProgress(context.df.getState(), operation));
  },
});
