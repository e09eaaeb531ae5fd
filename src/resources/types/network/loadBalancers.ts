/** A load balancer. */
import type { LoadBalancer } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const loadBalancers = topLevelType<LoadBalancer>(
  ResourceTypes.loadBalancer,
  (arm) => arm.clientOf(networkSdk).loadBalancers,
  {},
  restoreNetworkPoller,
);
