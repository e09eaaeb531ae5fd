import type * as KeyVaultSdk from '@azure/arm-keyvault';
import type { KeyVaultManagementClient } from '@azure/arm-keyvault';

import type { SdkNamespace } from '../sdkNamespace';

export const keyVaultSdk: SdkNamespace<KeyVaultManagementClient> = {
  name: 'Microsoft.KeyVault',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-keyvault') as typeof KeyVaultSdk;
    return new sdk.KeyVaultManagementClient(credential, subscriptionId, options);
  },
};
