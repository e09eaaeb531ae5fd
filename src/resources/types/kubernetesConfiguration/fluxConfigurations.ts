/** A Flux configuration: the Git repository, branch, path and interval a cluster syncs from. */
import type { FluxConfiguration } from '@azure/arm-kubernetesconfiguration';

import { ResourceTypes } from '../../../cluster/plan/types';
import { asJson, asModel, type ResourceTypeModule } from '../resourceType';
import { clusterScopeOf } from './clusterScope';
import { kubernetesConfigurationSdk } from './sdk';

export const fluxConfigurations: ResourceTypeModule = {
  type: ResourceTypes.fluxConfiguration,
  get: async (arm, ref) => {
    const s = clusterScopeOf(ref);
    return asJson(
      await arm
        .clientOf(kubernetesConfigurationSdk)
        .fluxConfigurations.get(s.resourceGroup, s.clusterRp, s.clusterResourceName, s.clusterName, s.name),
    );
  },
  createOrUpdate: async (arm, ref, body, lro) => {
    const s = clusterScopeOf(ref);
    return asJson(
      await arm
        .clientOf(kubernetesConfigurationSdk)
        .fluxConfigurations.beginCreateOrUpdateAndWait(
          s.resourceGroup,
          s.clusterRp,
          s.clusterResourceName,
          s.clusterName,
          s.name,
          asModel<FluxConfiguration>(body),
          lro,
        ),
    );
  },
  delete: async (arm, ref, lro) => {
    const s = clusterScopeOf(ref);
    await arm
      .clientOf(kubernetesConfigurationSdk)
      .fluxConfigurations.beginDeleteAndWait(
        s.resourceGroup,
        s.clusterRp,
        s.clusterResourceName,
        s.clusterName,
        s.name,
        lro,
      );
  },
  outputs: (actual): Record<string, string> =>
    typeof actual['complianceState'] === 'string' ? { complianceState: actual['complianceState'] } : {},
};
