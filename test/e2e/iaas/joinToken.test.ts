/**
 * Nodes added to a running IaaS cluster join with a fresh, short-lived bootstrap token
 * (docs/bootstrap.md, "Nodes added later"): minted by the app, registered on a control-plane VM
 * through a VM run command (protected parameter), stored as the vault's join-token's new version —
 * and never in custom data, status, logs or durable history.
 */
import type { AccessToken } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { durableManagementUrl, eventGridWebhookUrl } from '@azure-cluster-provisioner/functions-host';

import {
  DEFAULT_JOIN_TOKEN_TTL_MINUTES,
  TOKEN_PARAMETER,
} from '../../../src/cluster/bootstrap/joinTokenCommand';
import { VaultSecrets } from '../../../src/cluster/bootstrap/names';
import { ScalingFunctions } from '../../../src/functions/scaling/scalingFunctions';
import { armSettingsFromEnv, createArmClients } from '../../../src/resources/clients';
import { deleteResource } from '../../../src/resources/reconcile';
import { resourceTypes } from '../../../src/resources/types/registry';
import {
  appSettings,
  type ArmResource,
  type Environment,
  exampleSpec,
  RESOURCE_GROUP,
  startEnvironment,
} from './iaasHarness';
import { poolView, waitForPool } from './scalingHarness';

const TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;
const RUN_COMMANDS = 'Microsoft.Compute/virtualMachines/runCommands';

interface TokenVersion {
  value: string;
  version: string;
  expiresOn: number;
}

describe('a fresh join token for nodes added to a running cluster', () => {
  let env: Environment;
  const name = 'fresh';
  const pool = 'general';
  const spec = (count: number): Record<string, unknown> =>
    exampleSpec(name, {
      kubernetesVersion: '1.33.2',
      controlPlane: { count: 3, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'] },
      nodePools: [
        { name: pool, count, minCount: 1, maxCount: 6, vmSize: 'Standard_D4s_v5', zones: ['1', '2'] },
      ],
    });
  /** Every token value the vault ever held, to look for in what must not hold one. */
  const seen: string[] = [];
  let initial: TokenVersion;

  beforeAll(async () => {
    env = await startEnvironment(0.01, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    // As `npm start` does: ARM's resource events reach the app (a node deleted behind its back is repaired).
    env.emulator.addEventSubscriber(eventGridWebhookUrl(env.host, ScalingFunctions.nodeScalingEvents));
    expect((await env.api.request('POST', 'clusters', spec(1))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    initial = await latestToken();
    seen.push(initial.value);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  const vaultClient = (): SecretClient => {
    const vault = env.api.clusterResources(name).find((r) => r.type === 'Microsoft.KeyVault/vaults');
    const credential = {
      getToken: (): Promise<AccessToken> =>
        Promise.resolve({ token: 'e2e', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    return new SecretClient(String(vault?.properties?.['vaultUri']), credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: env.emulator.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
  };
  async function latestToken(): Promise<TokenVersion> {
    const secret = await vaultClient().getSecret(VaultSecrets.joinToken);
    return {
      value: secret.value ?? '',
      version: secret.properties.version ?? '',
      expiresOn: secret.properties.expiresOn?.getTime() ?? 0,
    };
  }
  const controlPlaneIds = (): string[] =>
    env.api
      .clusterResources(name)
      .filter((r) => r.type === 'Microsoft.Compute/virtualMachines' && r.name.startsWith(`${name}-cp-`))
      .map((r) => r.id.toLowerCase());
  const vmNames = (): string[] =>
    env.api
      .clusterResources(name)
      .filter((r) => r.type === 'Microsoft.Compute/virtualMachines')
      .map((r) => r.name);
  const runCommandsLeft = (): ArmResource[] =>
    (env.emulator.resources() as ArmResource[]).filter((r) => r.type === RUN_COMMANDS);

  /** Instance ids, inputs, outputs and full histories of every orchestration and entity the host has. */
  async function durableHistory(): Promise<string> {
    const list = (await (await fetch(durableManagementUrl(env.host))).json()) as { instanceId: string }[];
    expect(list.length).toBeGreaterThan(0);
    const base = durableManagementUrl(env.host).replace('/instances?', '/instances/{id}?');
    const texts: string[] = [];
    for (const { instanceId } of list) {
      const url = `${base.replace('{id}', encodeURIComponent(instanceId))}&showInput=true&showHistory=true&showHistoryOutput=true`;
      const text = await (await fetch(url)).text();
      expect(text).toContain(instanceId);
      texts.push(text);
    }
    return texts.join('\n');
  }

  /** What must hold no token: status, history, logs, every VM's custom data, every ARM resource. */
  async function expectNoTokenAnywhere(): Promise<void> {
    const status = JSON.stringify(await env.api.cluster(name));
    const history = await durableHistory();
    const customData = env.api
      .clusterResources(name)
      .filter((r) => r.type === 'Microsoft.Compute/virtualMachines')
      .map((r) => env.emulator.customData(r.id) ?? '');
    expect(customData.every((d) => d.startsWith('#cloud-config'))).toBe(true);
    const arm = JSON.stringify(env.emulator.resources());
    for (const value of seen) {
      expect(status).not.toContain(value);
      expect(history).not.toContain(value);
      expect(env.logs.join('\n')).not.toContain(value);
      expect(arm).not.toContain(value);
    }
    for (const data of customData) expect(data.match(TOKEN)).toBeNull();
  }

  /** One more vault version, registered by exactly one successful run command execution. */
  function expectRegistered(before: TokenVersion, after: TokenVersion, executionsBefore: number): void {
    expect(after.version).not.toBe(before.version);
    expect(after.value).not.toBe(before.value);
    expect(after.value).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const executions = env.emulator.runCommandExecutions().slice(executionsBefore);
    expect(executions).toHaveLength(1);
    const [run] = executions;
    expect(controlPlaneIds()).toContain(run?.vmId.toLowerCase());
    expect(run?.protectedParameters).toEqual([{ name: TOKEN_PARAMETER, value: after.value }]);
    // The script and plain parameters, which ARM returns on GET, do not hold it.
    expect(JSON.stringify(run?.source)).not.toContain(after.value);
    expect(JSON.stringify(run?.parameters)).not.toContain(after.value);
    expect(JSON.stringify(run?.source)).toContain(`$${TOKEN_PARAMETER}`);
    // It ran and was deleted: no run command (holding the token) is left on any VM.
    expect(runCommandsLeft()).toEqual([]);
  }

  it('mints nothing when the cluster is created (kubeadm init registers the first token)', async () => {
    expect(initial.value).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(env.emulator.runCommandExecutions()).toEqual([]);
    await expectNoTokenAnywhere();
  });

  it('a re-POST that grows a pool mints, registers and stores a fresh token before the new VM exists', async () => {
    const executions = env.emulator.runCommandExecutions().length;
    const before = await latestToken();
    const mintedAfter = Date.now();
    expect((await env.api.request('POST', 'clusters', spec(2))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(vmNames()).toContain(`${name}-${pool}-1`);

    const after = await latestToken();
    seen.push(after.value);
    expectRegistered(before, after, executions);
    // Its expiry is the short TTL from when it was minted (Key Vault keeps whole seconds).
    const ttl = DEFAULT_JOIN_TOKEN_TTL_MINUTES * 60_000;
    expect(after.expiresOn).toBeGreaterThanOrEqual(Math.floor((mintedAfter + ttl) / 1000) * 1000);
    expect(after.expiresOn).toBeLessThanOrEqual(Date.now() + ttl);

    // The run command ran before the new VM was created.
    const ops = env.emulator.operations();
    const runPut = ops.findIndex((o) => o.method === 'PUT' && /\/runCommands\//i.test(o.path));
    const vmPut = ops.findIndex(
      (o) => o.method === 'PUT' && o.path.endsWith(`/virtualMachines/${name}-${pool}-1`),
    );
    expect(runPut).toBeGreaterThanOrEqual(0);
    expect(vmPut).toBeGreaterThan(runPut);
    // The activity's output is in durable history: its public facts (the new version), not the token.
    const history = await durableHistory();
    expect(history).toContain('registerJoinToken');
    expect(history).toContain(after.version);
    await expectNoTokenAnywhere();
  });

  it('a scale-out through the scale route does the same, with a later expiry', async () => {
    const executions = env.emulator.runCommandExecutions().length;
    const before = await latestToken();
    const res = await env.api.request('POST', `clusters/${name}/nodepools/${pool}/scale`, { count: 3 });
    expect(res.status).toBe(202);
    await waitForPool(env, name, pool, 3);
    expect(vmNames()).toContain(`${name}-${pool}-2`);
    const after = await latestToken();
    seen.push(after.value);
    expectRegistered(before, after, executions);
    expect(after.expiresOn).toBeGreaterThan(before.expiresOn);
    await expectNoTokenAnywhere();
  });

  it('a worker lost behind the app’s back is re-created with a fresh token (ARM event → repair)', async () => {
    const executions = env.emulator.runCommandExecutions().length;
    const before = await latestToken();
    const settings = armSettingsFromEnv(appSettings(env.emulator, `${env.tempDir}/arm-ca.pem`));
    const victim = `/subscriptions/${settings.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}-${pool}-2`;
    await deleteResource(resourceTypes, createArmClients(settings), {
      id: victim,
      type: 'Microsoft.Compute/virtualMachines',
    });
    expect(vmNames()).not.toContain(`${name}-${pool}-2`);
    const deadline = Date.now() + 60_000;
    while (!vmNames().includes(`${name}-${pool}-2`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitForPool(env, name, pool, 3);
    expect((await poolView(env, name, pool)).lastDecision).toMatchObject({ outcome: 'repair' });
    const after = await latestToken();
    seen.push(after.value);
    expectRegistered(before, after, executions);
    await expectNoTokenAnywhere();
  }, 90_000);

  it('a re-POST with no new node mints nothing and writes nothing to the vault', async () => {
    const executions = env.emulator.runCommandExecutions().length;
    const before = await latestToken();
    expect((await env.api.request('POST', 'clusters', spec(3))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(env.emulator.runCommandExecutions()).toHaveLength(executions);
    expect((await latestToken()).version).toBe(before.version);
    expect(
      env.emulator.operations().filter((o) => o.method === 'PUT' && /\/runCommands\//i.test(o.path)),
    ).toHaveLength(executions);
  });

  it('tries the next control-plane VM when the run command fails on one', async () => {
    const executions = env.emulator.runCommandExecutions().length;
    const before = await latestToken();
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-cp-0/runCommands/`,
      lroFailure: { code: 'VMExtensionProvisioningError', message: 'The script exited with status 1.' },
    });
    expect((await env.api.request('POST', 'clusters', spec(4))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    const after = await latestToken();
    seen.push(after.value);
    const runs = env.emulator.runCommandExecutions().slice(executions);
    expect(runs.map((r) => r.vmId.split('/').pop())).toEqual([`${name}-cp-0`, `${name}-cp-1`]);
    expect(runs.every((r) => r.protectedParameters[0]?.value === after.value)).toBe(true);
    expect(after.version).not.toBe(before.version);
    expect(runCommandsLeft()).toEqual([]);
    await expectNoTokenAnywhere();
  });

  it('fails the operation with the run command’s ARM error when no control-plane VM registers it, creating no VM', async () => {
    const before = await latestToken();
    const vms = vmNames().length;
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-cp-[0-9]+/runCommands/`,
      count: 3,
      lroFailure: { code: 'VMExtensionProvisioningError', message: 'The script exited with status 1.' },
    });
    expect((await env.api.request('POST', 'clusters', spec(5))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(final.error?.code).toBe('VMExtensionProvisioningError');
    expect(final.error?.resource).toMatch(
      /\/virtualMachines\/fresh-cp-2\/runCommands\/register-join-token-[0-9a-f]{8}$/i,
    );
    expect(final.error?.message).toMatch(/fresh-cp-0: VMExtensionProvisioningError/);
    expect(vmNames()).toHaveLength(vms);
    expect((await latestToken()).version).toBe(before.version);
    expect(runCommandsLeft()).toEqual([]);
    for (const run of env.emulator.runCommandExecutions()) seen.push(run.protectedParameters[0]?.value ?? '');
    await expectNoTokenAnywhere();

    // Once the control plane answers again, POSTing the spec again finishes it.
    expect((await env.api.request('POST', 'clusters', spec(5))).status).toBe(202);
    const retried = await env.api.waitForCluster(name, 90_000);
    expect(retried.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(vmNames()).toHaveLength(vms + 1);
  });

  it('leaves no run command behind when the cluster is deleted', async () => {
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final.runtimeStatus).toBe('Completed');
    expect(env.api.clusterResources(name)).toEqual([]);
    expect(runCommandsLeft()).toEqual([]);
  });
});
