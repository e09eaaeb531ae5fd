import type * as PolicySdk from '@azure/arm-policy';
import type { PolicyClient } from '@azure/arm-policy';

import type { SdkNamespace } from '../sdkNamespace';

/** `Microsoft.Authorization` policy operations live in their own SDK package. */
export const policySdk: SdkNamespace<PolicyClient> = {
  name: 'Microsoft.Authorization/policy',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-policy') as typeof PolicySdk;
    return new sdk.PolicyClient(credential, subscriptionId, {
      ...options,
      credentialScopes: options.credentials.scopes,
    });
  },
};
