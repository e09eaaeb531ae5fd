import type * as ContainerServiceSdk from '@azure/arm-containerservice';
import type { ContainerServiceClient } from '@azure/arm-containerservice';

import type { SdkNamespace } from '../sdkNamespace';

export const containerServiceSdk: SdkNamespace<ContainerServiceClient> = {
  name: 'Microsoft.ContainerService',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-containerservice') as typeof ContainerServiceSdk;
    return new sdk.ContainerServiceClient(credential, subscriptionId, options);
  },
};
