/** A cluster extension (`microsoft.flux` for GitOps), installed into the cluster by AKS. */
import type { Extension } from '@azure/arm-kubernetesconfiguration';

import { ResourceTypes } from '../../../cluster/plan/types';
import { asJson, asModel, type ResourceTypeModule } from '../resourceType';
import { clusterScopeOf } from './clusterScope';
import { kubernetesConfigurationSdk } from './sdk';

export const clusterExtensions: ResourceTypeModule = {
  type: ResourceTypes.clusterExtension,
  get: async (arm, ref) => {
    const s = clusterScopeOf(ref);
    return asJson(
      await arm
        .clientOf(kubernetesConfigurationSdk)
        .extensions.get(s.resourceGroup, s.clusterRp, s.clusterResourceName, s.clusterName, s.name),
    );
  },
  createOrUpdate: async (arm, ref, body, lro) => {
    const s = clusterScopeOf(ref);
    return asJson(
      await arm
        .clientOf(kubernetesConfigurationSdk)
        .extensions.beginCreateAndWait(
          s.resourceGroup,
          s.clusterRp,
          s.clusterResourceName,
          s.clusterName,
          s.name,
          asModel<Extension>(body),
          lro,
        ),
    );
  },
  delete: async (arm, ref, lro) => {
    const s = clusterScopeOf(ref);
    await arm
      .clientOf(kubernetesConfigurationSdk)
      .extensions.beginDeleteAndWait(
        s.resourceGroup,
        s.clusterRp,
        s.clusterResourceName,
        s.clusterName,
        s.name,
        lro,
      );
  },
  outputs: (actual): Record<string, string> =>
    typeof actual['version'] === 'string' ? { version: actual['version'] } : {},
};
