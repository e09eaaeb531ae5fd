import type * as ComputeSdk from '@azure/arm-compute';
import type { ComputeManagementClient } from '@azure/arm-compute';

import type { SdkNamespace } from '../sdkNamespace';

export const computeSdk: SdkNamespace<ComputeManagementClient> = {
  name: 'Microsoft.Compute',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-compute') as typeof ComputeSdk;
    return new sdk.ComputeManagementClient(credential, subscriptionId, options);
  },
};
