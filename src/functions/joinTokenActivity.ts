/**
 * The `registerJoinToken` activity (see resources/joinToken.ts): called by provisioning before it
 * creates nodes in a running IaaS cluster. Its output is public facts only (secret id, version,
 * expiry) or an ARM failure: the token never enters durable history.
 */
import * as df from 'durable-functions';

import { joinTokenTtlMinutes } from '../cluster/bootstrap/joinTokenCommand';
import { type ArmSettings, armSettingsFromEnv, createArmClients } from '../resources/clients';
import { registerJoinToken, scaleSetsToGrow, vmsToCreate } from '../resources/joinToken';
import type { ReconcileClients } from '../resources/reconcile';
import {
  REGISTER_JOIN_TOKEN,
  type RegisterJoinTokenInput,
  type RegisterJoinTokenOutput,
} from './shared/joinTokenRequest';

let settings: ArmSettings | undefined;
let clients: ReconcileClients | undefined;

df.app.activity(REGISTER_JOIN_TOKEN, {
  handler: async (input: RegisterJoinTokenInput, context): Promise<RegisterJoinTokenOutput> => {
    settings ??= armSettingsFromEnv(process.env);
    clients ??= createArmClients(settings);
    const reconcile = { retry: settings.retry ?? {} };
    const created = [
      ...(await vmsToCreate(clients, input.vmIds, reconcile)),
      ...(input.scaleSets && input.scaleSets.length > 0
        ? await scaleSetsToGrow(clients, input.scaleSets, reconcile)
        : []),
    ];
    if (created.length === 0) {
      return { kind: 'skipped', reason: 'every VM of the plan exists and no scale set grows' };
    }
    context.log(`minting a join token for ${created.length} new node(s) of cluster "${input.clusterName}"`);
    return registerJoinToken(
      clients,
      {
        vaultId: input.vaultId,
        controlPlaneVmIds: input.controlPlaneVmIds,
        ttlMinutes: joinTokenTtlMinutes(process.env),
      },
      { pollIntervalMs: settings.pollIntervalMs, log: (line) => context.log(line), reconcile },
    );
  },
});
