/** A public IP address; its output is the address ARM allocated (the API server's endpoint). */
import type { PublicIPAddress } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const publicIPAddresses = topLevelType<PublicIPAddress>(
  ResourceTypes.publicIPAddress,
  (arm) => arm.clientOf(networkSdk).publicIPAddresses,
  {
    outputs: (actual): Record<string, string> =>
      typeof actual['ipAddress'] === 'string' ? { ipAddress: actual['ipAddress'] } : {},
  },
  restoreNetworkPoller,
);
