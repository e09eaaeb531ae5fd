import type * as AuthorizationSdk from '@azure/arm-authorization';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';

import type { SdkNamespace } from '../sdkNamespace';

export const authorizationSdk: SdkNamespace<AuthorizationManagementClient> = {
  name: 'Microsoft.Authorization',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-authorization') as typeof AuthorizationSdk;
    return new sdk.AuthorizationManagementClient(credential, subscriptionId, {
      ...options,
      credentialScopes: options.credentials.scopes,
    });
  },
};
