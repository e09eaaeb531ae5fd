/** A virtual network. Its subnets are resources of their own, so a PUT keeps the ones it finds. */
import type { VirtualNetwork } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const virtualNetworks = topLevelType<VirtualNetwork>(
  ResourceTypes.virtualNetwork,
  (arm) => arm.clientOf(networkSdk).virtualNetworks,
  { carryOver: ['subnets'] },
  restoreNetworkPoller,
);
