import type * as NetworkSdk from '@azure/arm-network';
import type { NetworkManagementClient } from '@azure/arm-network';

import type { SdkNamespace } from '../sdkNamespace';

export const networkSdk: SdkNamespace<NetworkManagementClient> = {
  name: 'Microsoft.Network',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-network') as typeof NetworkSdk;
    return new sdk.NetworkManagementClient(credential, subscriptionId, options);
  },
};
