/** Activity publishing cluster lifecycle events; a no-op when no Event Grid topic is configured. */
import * as df from 'durable-functions';

import { lifecycleTopicFromEnv, publishLifecycleEvent } from '../events/lifecycle';
import {
  DurableFunctions,
  type PublishLifecycleEventInput,
  type PublishLifecycleEventOutput,
} from './shared/durableFunctions';

df.app.activity(DurableFunctions.publishLifecycleEvent, {
  handler: async (input: PublishLifecycleEventInput, context): Promise<PublishLifecycleEventOutput> => {
    try {
      // Inside the try: a malformed topic setting is logged like any publishing failure.
      const topic = lifecycleTopicFromEnv(process.env);
      if (!topic) return { published: false };
      await publishLifecycleEvent(topic, input);
      return { published: true };
    } catch (err) {
      // A notification must not turn a provisioned cluster into a failed one: log and go on.
      context.warn(
        `could not publish ClusterProvisioner.Cluster.${input.type} for "${input.clusterName}": ${err instanceof Error ? err.message : String(err)}`,
      );
      return { published: false };
    }
  },
});
