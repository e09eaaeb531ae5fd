/**
 * A fresh join token for nodes added to a running IaaS cluster (docs/bootstrap.md, "Nodes added
 * later"): mint a kubeadm bootstrap token, register it on a running control-plane VM through a VM run
 * command whose script reads it from a protected parameter, then store it as the vault's `join-token`
 * secret's newest version with its expiry — the secret every joining node reads at boot.
 *
 * The app has no path to the cluster's API server (it is behind the authorized ranges and the
 * internal load balancer); ARM's run command is the path. Registering before storing means the
 * vault never offers a token the cluster does not know.
 *
 * Nothing secret leaves this module: callers get the secret id, version and expiry. Errors carry
 * ARM's code and message, never the request (which holds the token).
 *
 * Idempotent: each attempt's run command has its own name (`register-join-token-<random>`) and is
 * deleted once it has run (it holds the token as a protected parameter); what an interrupted earlier
 * attempt left is deleted after a success. So a retried call never re-sends a write ARM acknowledged,
 * and leaves no run command (and no second live token on a node's run commands) behind.
 */
import { randomBytes } from 'node:crypto';

import type { ComputeManagementClient, VirtualMachineRunCommand } from '@azure/arm-compute';
import type { SecretClient } from '@azure/keyvault-secrets';

import {
  JOIN_TOKEN_RUN_COMMAND,
  JOIN_TOKEN_SCRIPT,
  RUN_COMMAND_TIMEOUT_SECONDS,
  TOKEN_DESCRIPTION,
  TOKEN_PARAMETER,
} from '../cluster/bootstrap/joinTokenCommand';
import { CA_CERT_HASH_TAG, VaultSecrets } from '../cluster/bootstrap/names';
import type { ResourceFailure } from '../cluster/failure';
import type * as ClusterPki from '../secrets/clusterPki';
import { vaultSecretsSdk } from './clusterSecrets';
import { classifyArmError } from './errors';
import { isNotFound, type ReconcileOptions, withTransientRetry } from './reconcile';
import { parseResourceId } from './resourceId';
import { computeSdk } from './types/compute/sdk';
import { keyVaultSdk } from './types/keyVault/sdk';
import type { ArmConnection } from './types/sdkNamespace';

export interface RegisterJoinTokenRequest {
  /** The cluster's vault (ARM id). */
  vaultId: string;
  /** The cluster's control-plane VMs (ARM ids), tried in name order. */
  controlPlaneVmIds: string[];
  ttlMinutes: number;
}

/** Public facts only: what an activity may return (durable history) and status may show. */
export interface RegisteredJoinToken {
  /** The join-token secret's id with its version. */
  secretId: string;
  version: string;
  /** ISO 8601; the token's kubeadm TTL starts later, so it is valid at least until then. */
  expiresOn: string;
  /** The control-plane VM that registered it. */
  registeredOn: string;
}

export type RegisterJoinTokenResult =
  | { kind: 'registered'; token: RegisteredJoinToken }
  /** No control-plane VM runs (the cluster is being created): the initial token path applies. */
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; failure: ResourceFailure };

export interface RegisterJoinTokenOptions {
  pollIntervalMs: number;
  now?: () => Date;
  log?: (line: string) => void;
  /** Upper bound of one run command's wait (default: its script timeout plus two minutes). */
  waitMs?: number;
  /** Transient ARM failures (throttling, 5xx, dropped connections) are retried as every write is. */
  reconcile?: ReconcileOptions;
}

const runCommandId = (vmId: string, name: string): string => `${vmId}/runCommands/${name}`;
/** This attempt's run command name: `register-join-token-<8 hex>` (random, nothing of the token). */
const attemptName = (): string => `${JOIN_TOKEN_RUN_COMMAND}-${randomBytes(4).toString('hex')}`;
const isOurs = (name: string | undefined): boolean =>
  name !== undefined && name.toLowerCase().startsWith(`${JOIN_TOKEN_RUN_COMMAND}-`);
const nameOf = (id: string): string => id.split('/').pop() ?? id;

/** The control-plane VMs that exist and last provisioned fine, with their location, in name order. */
async function runningControlPlane(
  compute: ComputeManagementClient,
  vmIds: readonly string[],
  reconcile: ReconcileOptions,
): Promise<{ id: string; resourceGroup: string; name: string; location: string }[]> {
  const sorted = [...vmIds].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const found: { id: string; resourceGroup: string; name: string; location: string }[] = [];
  for (const id of sorted) {
    const ref = parseResourceId(id);
    const name = ref.names[0] ?? '';
    try {
      const vm = await withTransientRetry(
        id,
        () => compute.virtualMachines.get(ref.resourceGroup, name),
        reconcile,
      );
      if (vm.provisioningState === 'Succeeded') {
        found.push({ id, resourceGroup: ref.resourceGroup, name, location: vm.location });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return found;
}

async function deleteRunCommand(
  compute: ComputeManagementClient,
  vm: { id: string; resourceGroup: string; name: string },
  name: string,
  options: RegisterJoinTokenOptions,
): Promise<void> {
  await withTransientRetry(
    runCommandId(vm.id, name),
    async (attempt) => {
      // A retry after a lost connection waits for the delete it sent rather than send it again.
      if (attempt > 1) {
        const left = await settledRunCommand(compute, vm, name, options, 120_000);
        if (!left) return;
      }
      await compute.virtualMachineRunCommands.delete(vm.resourceGroup, vm.name, name, {
        updateIntervalInMs: options.pollIntervalMs,
      });
    },
    options.reconcile ?? {},
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const BUSY = new Set(['Creating', 'Updating', 'Deleting', 'Accepted', 'Running']);

/**
 * The run command as ARM has it now, once no operation runs on it (undefined when it does not
 * exist). A retry after a lost connection finds its earlier write here instead of sending it again.
 */
async function settledRunCommand(
  compute: ComputeManagementClient,
  vm: { resourceGroup: string; name: string },
  name: string,
  options: RegisterJoinTokenOptions,
  waitMs: number,
): Promise<VirtualMachineRunCommand | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let found: VirtualMachineRunCommand;
    try {
      found = await compute.virtualMachineRunCommands.getByVirtualMachine(vm.resourceGroup, vm.name, name, {
        expand: 'instanceView',
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (!BUSY.has(found.provisioningState ?? '') || Date.now() > deadline) return found;
    await sleep(Math.max(options.pollIntervalMs, 10));
  }
}

/** The script's outcome from the run command's instance view; throws when it did not exit 0. */
function checkRan(ran: VirtualMachineRunCommand): void {
  const view = ran.instanceView;
  const failed =
    ran.provisioningState === 'Failed' ||
    (view !== undefined && (view.executionState !== 'Succeeded' || (view.exitCode ?? 0) !== 0));
  if (!failed) return;
  throw Object.assign(
    new Error(
      `the registration script ended ${view?.executionState ?? ran.provisioningState ?? 'Unknown'} (exit code ${view?.exitCode ?? '?'}): ${view?.executionMessage ?? ''}`,
    ),
    { code: 'RunCommandScriptFailed' },
  );
}

/**
 * Runs the registration on one VM; resolves when the script exited 0, rejects with ARM's error
 * otherwise. A retry (attempt > 1) first looks for the run command its earlier attempt wrote.
 */
async function registerOn(
  compute: ComputeManagementClient,
  vm: { id: string; resourceGroup: string; name: string; location: string },
  name: string,
  token: string,
  ttlSeconds: number,
  options: RegisterJoinTokenOptions,
  attempt: number,
): Promise<void> {
  const waitMs = options.waitMs ?? (RUN_COMMAND_TIMEOUT_SECONDS + 120) * 1000;
  if (attempt > 1) {
    const earlier = await settledRunCommand(compute, vm, name, options, waitMs);
    if (earlier) return checkRan(earlier);
  }
  const body: VirtualMachineRunCommand = {
    location: vm.location,
    source: { script: JOIN_TOKEN_SCRIPT },
    parameters: [
      { name: 'TOKEN_TTL', value: `${ttlSeconds}s` },
      { name: 'TOKEN_DESCRIPTION', value: TOKEN_DESCRIPTION },
    ],
    protectedParameters: [{ name: TOKEN_PARAMETER, value: token }],
    asyncExecution: false,
    treatFailureAsDeploymentFailure: true,
    timeoutInSeconds: RUN_COMMAND_TIMEOUT_SECONDS,
  };
  await compute.virtualMachineRunCommands.createOrUpdate(vm.resourceGroup, vm.name, name, body, {
    updateIntervalInMs: options.pollIntervalMs,
    abortSignal: AbortSignal.timeout(waitMs),
  });
  // With treatFailureAsDeploymentFailure a failed script fails the operation; the instance view
  // says so too (and is what a user would read).
  checkRan(
    await compute.virtualMachineRunCommands.getByVirtualMachine(vm.resourceGroup, vm.name, name, {
      expand: 'instanceView',
    }),
  );
}

/** The public hash joining nodes pin (the join-token secret's tag), computed from the CA certificate. */
async function caCertHashOf(
  secrets: SecretClient,
  vaultId: string,
  reconcile: ReconcileOptions,
): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: key code loads once per cluster
  const pki = require('../secrets/clusterPki') as typeof ClusterPki;
  const ca = await withTransientRetry(
    vaultId,
    () => secrets.getSecret(VaultSecrets.clusterCaCert),
    reconcile,
  );
  return pki.caCertHash(ca.value ?? '');
}

export async function registerJoinToken(
  arm: ArmConnection,
  request: RegisterJoinTokenRequest,
  options: RegisterJoinTokenOptions,
): Promise<RegisterJoinTokenResult> {
  const compute = arm.clientOf(computeSdk);
  const log = options.log ?? ((): void => undefined);
  const reconcile = options.reconcile ?? {};
  const vaultRef = parseResourceId(request.vaultId);
  let vaultUri: string | undefined;
  try {
    const vault = await withTransientRetry(
      request.vaultId,
      () => arm.clientOf(keyVaultSdk).vaults.get(vaultRef.resourceGroup, vaultRef.names[0] ?? ''),
      reconcile,
    );
    vaultUri = vault.properties.vaultUri;
  } catch (err) {
    return { kind: 'failed', failure: classifyArmError(err, request.vaultId).toFailure() };
  }
  if (vaultUri === undefined) {
    return {
      kind: 'failed',
      failure: { resource: request.vaultId, code: 'VaultUriMissing', message: 'the vault has no vaultUri' },
    };
  }
  const secrets = arm.clientOf(vaultSecretsSdk(vaultUri));

  const candidates = await runningControlPlane(compute, request.controlPlaneVmIds, reconcile);
  if (candidates.length === 0) {
    return { kind: 'skipped', reason: 'no control-plane VM is running' };
  }
  const caCertHash = await caCertHashOf(secrets, request.vaultId, reconcile);

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as above
  const pki = require('../secrets/clusterPki') as typeof ClusterPki;
  const token = pki.newBootstrapToken();
  const now = (options.now ?? ((): Date => new Date()))();
  // The vault's expiry is taken before the token is registered, so it is never later than the
  // cluster's own (kubeadm counts the TTL from registration). Whole seconds: Key Vault keeps Unix seconds.
  const expiresOn = new Date(Math.floor((now.getTime() + request.ttlMinutes * 60_000) / 1000) * 1000);

  const name = attemptName();
  const failures: { vm: string; failure: ResourceFailure }[] = [];
  let registeredOn: (typeof candidates)[number] | undefined;
  for (const vm of candidates) {
    try {
      await withTransientRetry(
        runCommandId(vm.id, name),
        (attempt) => registerOn(compute, vm, name, token, request.ttlMinutes * 60, options, attempt),
        reconcile,
      );
      registeredOn = vm;
    } catch (err) {
      const failure = classifyArmError(err, runCommandId(vm.id, name)).toFailure();
      failures.push({ vm: vm.name, failure });
      log(`registering a join token on ${vm.name} failed: ${failure.code}: ${failure.message}`);
    }
    // Once it has run (or failed) the run command goes: it holds the token as a protected parameter.
    try {
      await deleteRunCommand(compute, vm, name, options);
    } catch (err) {
      const failure = classifyArmError(err, runCommandId(vm.id, name)).toFailure();
      log(`could not delete run command ${runCommandId(vm.id, name)}: ${failure.code}: ${failure.message}`);
    }
    if (registeredOn) break;
  }
  if (!registeredOn) {
    const last = failures[failures.length - 1]?.failure;
    return {
      kind: 'failed',
      failure: {
        resource: last?.resource ?? request.vaultId,
        code: last?.code ?? 'JoinTokenNotRegistered',
        message: `could not register a fresh join token on any running control-plane VM (${failures
          .map((f) => `${f.vm}: ${f.failure.code}: ${f.failure.message}`)
          .join('; ')})`,
      },
    };
  }

  // Run commands an earlier, interrupted attempt left (each attempt has its own name) go too.
  for (const vm of candidates) {
    const left = await withTransientRetry(
      vm.id,
      async () => {
        const names: string[] = [];
        for await (const r of compute.virtualMachineRunCommands.listByVirtualMachine(
          vm.resourceGroup,
          vm.name,
        ))
          if (isOurs(r.name) && r.name !== name) names.push(r.name ?? '');
        return names;
      },
      reconcile,
    );
    for (const leftover of left) await deleteRunCommand(compute, vm, leftover, options);
  }

  const { properties } = await withTransientRetry(
    request.vaultId,
    () =>
      secrets.setSecret(VaultSecrets.joinToken, token, {
        expiresOn,
        contentType: 'text/plain',
        tags: { [CA_CERT_HASH_TAG]: caCertHash },
      }),
    reconcile,
  );
  log(`registered a fresh join token on ${registeredOn.name}, version ${properties.version ?? '?'}`);
  return {
    kind: 'registered',
    token: {
      secretId: properties.id ?? '',
      version: properties.version ?? '',
      expiresOn: expiresOn.toISOString(),
      registeredOn: registeredOn.id,
    },
  };
}

/** The VMs among `vmIds` that do not exist (a node about to be created, or re-created by a repair). */
export async function missingVms(
  arm: ArmConnection,
  vmIds: readonly string[],
  reconcile: ReconcileOptions = {},
): Promise<string[]> {
  const compute = arm.clientOf(computeSdk);
  const missing: string[] = [];
  for (const id of vmIds) {
    const ref = parseResourceId(id);
    try {
      await withTransientRetry(
        id,
        () => compute.virtualMachines.get(ref.resourceGroup, ref.names[0] ?? ''),
        reconcile,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missing.push(id);
    }
  }
  return missing;
}

/**
 * The VMs among `vmIds` that do not exist yet, from one VM list per resource group (a re-POST of a
 * large cluster reads one page set, not one GET per node).
 */
export async function vmsToCreate(
  arm: ArmConnection,
  vmIds: readonly string[],
  reconcile: ReconcileOptions = {},
): Promise<string[]> {
  const compute = arm.clientOf(computeSdk);
  const groups = new Set(vmIds.map((id) => parseResourceId(id).resourceGroup.toLowerCase()));
  const existing = new Set<string>();
  for (const group of groups) {
    const ids = await withTransientRetry(
      `/subscriptions/${arm.subscriptionId}/resourceGroups/${group}`,
      async () => {
        const found: string[] = [];
        for await (const vm of compute.virtualMachines.list(group))
          if (vm.id !== undefined) found.push(vm.id);
        return found;
      },
      reconcile,
    );
    for (const id of ids) existing.add(id.toLowerCase());
  }
  return vmIds.filter((id) => !existing.has(id.toLowerCase()));
}

/**
 * The scale sets among `sets` that would create members: absent, or with a capacity below the planned
 * one (one scale set list per resource group).
 */
export async function scaleSetsToGrow(
  arm: ArmConnection,
  sets: readonly { id: string; capacity: number }[],
  reconcile: ReconcileOptions = {},
): Promise<string[]> {
  const compute = arm.clientOf(computeSdk);
  const groups = new Set(sets.map((s) => parseResourceId(s.id).resourceGroup.toLowerCase()));
  const capacity = new Map<string, number>();
  for (const group of groups) {
    const found = await withTransientRetry(
      `/subscriptions/${arm.subscriptionId}/resourceGroups/${group}`,
      async () => {
        const out: [string, number][] = [];
        for await (const set of compute.virtualMachineScaleSets.list(group))
          if (set.id !== undefined) out.push([set.id.toLowerCase(), set.sku?.capacity ?? 0]);
        return out;
      },
      reconcile,
    );
    for (const [id, n] of found) capacity.set(id, n);
  }
  return sets.filter((s) => (capacity.get(s.id.toLowerCase()) ?? -1) < s.capacity).map((s) => s.id);
}

/** The vault and control-plane VMs of a cluster's plan (IaaS), or undefined for a cluster without a vault. */
export function joinTokenTargetsOf(
  resources: readonly { id: string; role: string }[],
): { vaultId: string; controlPlaneVmIds: string[] } | undefined {
  const vault = resources.find((r) => r.role === 'clusterVault');
  if (!vault) return undefined;
  return {
    vaultId: vault.id,
    controlPlaneVmIds: resources.filter((r) => r.role === 'controlPlaneVm').map((r) => r.id),
  };
}
