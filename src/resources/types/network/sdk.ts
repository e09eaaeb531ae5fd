import type * as NetworkSdk from '@azure/arm-network';
import type { NetworkManagementClient } from '@azure/arm-network';

import type { RestorePoller } from '../resourceType';
import type { SdkNamespace } from '../sdkNamespace';

export const networkSdk: SdkNamespace<NetworkManagementClient> = {
  name: 'Microsoft.Network',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-network') as typeof NetworkSdk;
    return new sdk.NetworkManagementClient(credential, subscriptionId, options);
  },
};

/** Rebuilds a network poller from its serialized state (the package's own `restorePoller`). */
export const restoreNetworkPoller: RestorePoller = (arm, operation, source) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
  const sdk = require('@azure/arm-network') as typeof NetworkSdk;
  return sdk.restorePoller(
    arm.clientOf(networkSdk),
    operation,
    source as unknown as Parameters<typeof sdk.restorePoller>[2],
  );
};
