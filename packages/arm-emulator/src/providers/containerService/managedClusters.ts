import { createHash } from 'node:crypto';

import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asObject, asString, type JsonObject } from '../../json';
import type { ResourceProvider } from '../provider';
import { AKS_NAME_RULE, validatePool } from './agentPools';
import { checkClusterRules, checkPoolAgainstCluster } from './aksRules';
import { latestPatchOf, latestPreviewVersion, latestStableVersion, minorsBehind } from './kubernetesVersions';

/** AKS clusters; their agent pools are child resources kept from `agentPoolProfiles`. */
export const managedClusters: ResourceProvider = {
  type: ArmTypes.managedCluster,
  latencyMs: { write: 300_000, delete: 240_000 },
  readOnly: ['fqdn', 'azurePortalFQDN', 'privateFQDN', 'currentKubernetesVersion', 'maxAgentPools'],
  nameRule: AKS_NAME_RULE,
  etagField: 'eTag',
  stripReadOnly(props) {
    for (const p of asArray(props.agentPoolProfiles).map(asObject)) {
      if (!p) continue;
      delete p.provisioningState;
      delete p.currentOrchestratorVersion;
      delete p.nodeImageVersion;
    }
  },
  prepare(ctx, record, existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const profiles = asArray(props.agentPoolProfiles).map(asObject);
    if (!existing && profiles.length === 0) {
      throw badRequest(
        'InvalidParameter',
        `Managed cluster ${record.name} needs at least one agent pool in properties.agentPoolProfiles.`,
      );
    }
    let required = 0;
    const desired: { name: string; props: JsonObject }[] = [];
    for (const profile of profiles) {
      const name = asString(profile?.name);
      if (!profile || !name)
        throw badRequest('InvalidParameter', `Every agent pool profile of ${record.name} needs a name.`);
      const { name: _name, ...poolProps } = profile;
      required += validatePool(ctx, name, poolProps, location, `${record.id}/agentPools/${name}`);
      desired.push({ name, props: poolProps });
    }
    const all = existing ? ctx.childrenOf(existing).filter((c) => c.type === ArmTypes.agentPool) : [];
    const untouched = all.filter((p) => !desired.some((d) => d.name.toLowerCase() === p.name.toLowerCase()));
    const clusterVersion = asString(props.kubernetesVersion);
    for (const d of desired) {
      const before = all.find((p) => p.name.toLowerCase() === d.name.toLowerCase());
      if (existing && !before) {
        throw badRequest(
          'BadRequest',
          'A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through managed cluster operations. For agent pool specific change, please use per agent pool operations: https://aka.ms/agent-pool-rest-api',
        );
      }
      checkPoolAgainstCluster(
        d.name,
        d.props,
        before ? asObject(before.body.properties) : undefined,
        clusterVersion,
      );
    }
    checkClusterRules(ctx, record);
    // Without any mode AKS makes the first pool the System pool; only all-User is refused.
    if (!existing && desired.every((d) => asString(d.props.mode)?.toLowerCase() === 'user')) {
      throw badRequest(
        'MustDefineAtLeastOneSystemPool',
        `Managed cluster ${record.name} needs at least one agent pool with mode 'System'.`,
      );
    }
    ctx.checkQuota(
      record.subscriptionId,
      location,
      required,
      (r) => r.parentKey === record.key && !untouched.includes(r),
    );
    if (!record.derived.fqdn) {
      const dnsPrefix = asString(props.dnsPrefix) ?? record.name;
      const hash = createHash('sha256').update(record.id.toLowerCase()).digest('hex').slice(0, 8);
      record.derived.fqdn = `${dnsPrefix}-${hash}.hcp.${location}.azmk8s.io`;
    }
    return (op) => {
      for (const d of desired) {
        ctx.writeChild(record, ArmTypes.agentPool, 'agentPools', d.name, { properties: d.props }, op);
      }
    };
  },
  events(_ctx, record, moment) {
    if (moment.kind !== 'write') return [];
    // The pools written with the cluster (its agentPoolProfiles) roll out with it.
    const suffix = { started: 'Started', succeeded: 'Succeeded', failed: 'Failed' }[moment.phase];
    const rolling = asArray(asObject(record.body.properties)?.agentPoolProfiles)
      .map((p) => asString(asObject(p)?.name))
      .filter((name): name is string => name !== undefined)
      .map((nodePoolName) => ({
        eventType: `Microsoft.ContainerService.NodePoolRolling${suffix}`,
        topic: record.id,
        subject: record.name,
        data: { nodePoolName },
      }));
    if (moment.phase !== 'succeeded') return rolling;
    const version = asString(asObject(record.body.properties)?.kubernetesVersion) ?? '';
    const latest = latestStableVersion();
    if (version === '' || minorsBehind(latest, version) <= 0) return rolling;
    const preview = latestPreviewVersion();
    return [
      ...rolling,
      {
        eventType: 'Microsoft.ContainerService.NewKubernetesVersionAvailable',
        topic: record.id,
        subject: record.name,
        data: {
          latestSupportedKubernetesVersion: latest,
          latestStableKubernetesVersion: latest,
          // The highest patch of the cluster's own (lowest applicable) minor version.
          lowestMinorKubernetesVersion: latestPatchOf(version) ?? version,
          ...(preview !== undefined ? { latestPreviewKubernetesVersion: preview } : {}),
        },
      },
    ];
  },
  render(ctx, record, _body, props) {
    const pools = ctx.childrenOf(record).filter((c) => c.type === ArmTypes.agentPool);
    if (pools.length > 0 || 'agentPoolProfiles' in props) {
      props.agentPoolProfiles = pools.map((p) => ({
        name: p.name,
        ...(asObject(ctx.render(p).properties) ?? {}),
      }));
    }
    const fqdn = asString(record.derived.fqdn);
    if (fqdn !== undefined) props.fqdn = fqdn;
    const version = asString(props.kubernetesVersion);
    if (version !== undefined) props.currentKubernetesVersion = version;
    if (props.nodeResourceGroup === undefined) {
      props.nodeResourceGroup = `MC_${record.resourceGroup}_${record.name}_${ctx.recordLocation(record)}`;
    }
    if (props.powerState === undefined) props.powerState = { code: 'Running' };
    props.maxAgentPools = 100;
  },
};
