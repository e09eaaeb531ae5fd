/**
 * Self-healing of what is not a worker node: when ARM reports that a cluster's owned resource was
 * deleted behind its back, `repairCluster` re-applies the cluster's plan except worker nodes (see
 * scaling/repairCluster.ts). Worker nodes are repaired by their pool (scaleNodePool.ts).
 */
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { repairClusterResources } from './scaling/repairCluster';
import {
  type RepairClusterInput,
  type RepairClusterOutput,
  RepairFunctions,
} from './scaling/scalingFunctions';

const repairCluster: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<RepairClusterInput>();
  const output = (yield context.df.callActivity(
    RepairFunctions.repairClusterResources,
    input,
  )) as RepairClusterOutput;
  if (output.error !== undefined && !context.df.isReplaying) {
    context.warn(`repairing cluster "${input.clusterName}" failed: ${output.error}`);
  }
  return output;
};

df.app.orchestration(RepairFunctions.repairCluster, repairCluster);

df.app.activity(RepairFunctions.repairClusterResources, {
  extraInputs: [df.input.durableClient()],
  handler: (input: RepairClusterInput, context) =>
    repairClusterResources(input, df.getClient(context), context),
});
