import type * as ResourcesSdk from '@azure/arm-resources';
import type { ResourceManagementClient } from '@azure/arm-resources';

import type { SdkNamespace } from '../sdkNamespace';

export const resourcesSdk: SdkNamespace<ResourceManagementClient> = {
  name: 'Microsoft.Resources',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-resources') as typeof ResourcesSdk;
    return new sdk.ResourceManagementClient(credential, subscriptionId, options);
  },
};
