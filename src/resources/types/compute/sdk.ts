import type * as ComputeSdk from '@azure/arm-compute';
import type { ComputeManagementClient } from '@azure/arm-compute';

import type { RestorePoller } from '../resourceType';
import type { SdkNamespace } from '../sdkNamespace';

export const computeSdk: SdkNamespace<ComputeManagementClient> = {
  name: 'Microsoft.Compute',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-compute') as typeof ComputeSdk;
    return new sdk.ComputeManagementClient(credential, subscriptionId, options);
  },
};

/** Rebuilds a compute poller from its serialized state (the package's own `restorePoller`). */
export const restoreComputePoller: RestorePoller = (arm, operation, source) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
  const sdk = require('@azure/arm-compute') as typeof ComputeSdk;
  return sdk.restorePoller(
    arm.clientOf(computeSdk),
    operation,
    source as unknown as Parameters<typeof sdk.restorePoller>[2],
  );
};
