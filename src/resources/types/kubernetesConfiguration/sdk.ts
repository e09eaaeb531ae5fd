import type * as KubernetesConfigurationSdk from '@azure/arm-kubernetesconfiguration';
import type { SourceControlConfigurationClient } from '@azure/arm-kubernetesconfiguration';

import type { SdkNamespace } from '../sdkNamespace';

export const kubernetesConfigurationSdk: SdkNamespace<SourceControlConfigurationClient> = {
  name: 'Microsoft.KubernetesConfiguration',
  create: ({ credential, subscriptionId, options }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps cold start small
    const sdk = require('@azure/arm-kubernetesconfiguration') as typeof KubernetesConfigurationSdk;
    return new sdk.SourceControlConfigurationClient(credential, subscriptionId, {
      ...options,
      credentialScopes: options.credentials.scopes,
    });
  },
};
