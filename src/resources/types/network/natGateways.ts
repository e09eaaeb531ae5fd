/** A NAT gateway. */
import type { NatGateway } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const natGateways = topLevelType<NatGateway>(
  ResourceTypes.natGateway,
  (arm) => arm.clientOf(networkSdk).natGateways,
  {},
  restoreNetworkPoller,
);
