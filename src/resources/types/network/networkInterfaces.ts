/** A network interface; its output is the private IP address of its first IP configuration. */
import type { NetworkInterface } from '@azure/arm-network';

import { ResourceTypes } from '../../../cluster/plan/types';
import { topLevelType } from '../resourceType';
import { networkSdk, restoreNetworkPoller } from './sdk';

export const networkInterfaces = topLevelType<NetworkInterface>(
  ResourceTypes.networkInterface,
  (arm) => arm.clientOf(networkSdk).networkInterfaces,
  {
    outputs: (actual): Record<string, string> => {
      const configs = actual['ipConfigurations'];
      const first = Array.isArray(configs) ? configs[0] : undefined;
      const ip =
        first && typeof first === 'object' && !Array.isArray(first) ? first['privateIPAddress'] : undefined;
      return typeof ip === 'string' ? { privateIPAddress: ip } : {};
    },
  },
  restoreNetworkPoller,
);
