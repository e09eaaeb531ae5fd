/** The cluster's resource group: verified, never created or deleted. */
import { TerminalError } from './errors';
import {
  assertSubscription,
  isNotFound,
  type ReconcileClients,
  type ReconcileOptions,
  withTransientRetry,
} from './reconcile';
import { resourcesSdk } from './types/resources/sdk';

/**
 * The cluster's resource group must already exist: it is never created (the user owns it, its
 * policies and its RBAC). Throws `TerminalError('ResourceGroupNotFound')` naming it otherwise.
 */
export async function verifyResourceGroup(
  clients: ReconcileClients,
  subscriptionId: string,
  resourceGroup: string,
  options: ReconcileOptions = {},
): Promise<{ name: string; location: string }> {
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  assertSubscription(clients, subscriptionId, id);
  return withTransientRetry(
    id,
    async () => {
      try {
        const rg = await clients.clientOf(resourcesSdk).resourceGroups.get(resourceGroup);
        return { name: rg.name ?? resourceGroup, location: rg.location };
      } catch (err) {
        if (isNotFound(err)) {
          throw new TerminalError(
            'ResourceGroupNotFound',
            `resource group "${resourceGroup}" does not exist in subscription ${subscriptionId}; the provisioner never creates it — create it first`,
            id,
            { statusCode: 404 },
          );
        }
        throw err;
      }
    },
    options,
  );
}
