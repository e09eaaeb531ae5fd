import type * as MsiSdk from '@azure/arm-msi';
import type { ManagedServiceIdentityClient } from '@azure/arm-msi';

import type { SdkNamespace } from '../sdkNamespace';

export const msiSdk: SdkNamespace<ManagedServiceIdentityClient> = {
  name: 'Microsoft.ManagedIdentity',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-msi') as typeof MsiSdk;
    // This generation of the SDK takes its token scopes as `credentialScopes`.
    return new sdk.ManagedServiceIdentityClient(credential, subscriptionId, {
      ...options,
      credentialScopes: options.credentials.scopes,
    });
  },
};
