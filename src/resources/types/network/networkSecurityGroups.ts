/** A network security group. */
import type { NetworkSecurityGroup } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const networkSecurityGroups = topLevelType<NetworkSecurityGroup>(
  ResourceTypes.networkSecurityGroup,
  (arm) => arm.clientOf(networkSdk).networkSecurityGroups,
  {},
  restoreNetworkPoller,
);
