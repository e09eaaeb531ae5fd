import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asNumber, asObject, asString, type JsonObject } from '../../json';
import { vcpusOfVmSize } from '../../vmSizes';
import type { NameRule, ProviderContext, ResourceProvider } from '../provider';
import { checkZones, requireRef, vcpusOrThrow } from '../shared';
import { checkPoolAgainstCluster } from './aksRules';

/** AKS's resource name rule: 1–63 characters. */
export const AKS_NAME_RULE: NameRule = {
  pattern: /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/,
  message: (name) =>
    `Resource name '${name}' is invalid. The name can be up to 63 characters long. It must begin with a word character, and it must end with a word character. The name may contain word characters or '.', '-', '_'.`,
};

/** A pool's rules, shared by agent pool PUTs and the profiles inside a managed cluster body; returns its vCPUs. */
export function validatePool(
  ctx: ProviderContext,
  name: string,
  props: JsonObject,
  location: string,
  fromId: string,
): number {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) {
    throw badRequest(
      'InvalidParameter',
      `The agent pool name '${name}' is invalid: it must start with a lowercase letter, contain only lowercase letters and numbers, and be at most 12 characters long.`,
    );
  }
  const count = asNumber(props.count) ?? 1;
  const mode = asString(props.mode)?.toLowerCase() ?? 'user';
  if (!Number.isInteger(count) || count < (mode === 'system' ? 1 : 0) || count > 1000) {
    throw badRequest(
      'InvalidParameter',
      `The value of parameter agentPoolProfile.count of pool '${name}' is invalid: ${JSON.stringify(props.count)} (allowed ${mode === 'system' ? 1 : 0}-1000).`,
    );
  }
  if (props.enableAutoScaling === true) {
    const min = asNumber(props.minCount);
    const max = asNumber(props.maxCount);
    if (min === undefined || max === undefined || min > max || count < min || count > max) {
      throw badRequest(
        'InvalidParameter',
        `Pool '${name}' enables autoscaling: minCount (${JSON.stringify(props.minCount)}) <= count (${count}) <= maxCount (${JSON.stringify(props.maxCount)}) is required.`,
      );
    }
  }
  const vcpus = vcpusOrThrow(asString(props.vmSize) ?? 'Standard_D2s_v5', `agent pool ${name}`);
  checkZones(props.availabilityZones, location, `agent pool ${name}`);
  const subnetId = asString(props.vnetSubnetID);
  if (subnetId !== undefined) requireRef(ctx, subnetId, ArmTypes.subnet, fromId, location);
  return vcpus * count;
}

/** Agent pools: children of a managed cluster, written alone or as the cluster's agentPoolProfiles. */
export const agentPools: ResourceProvider = {
  type: ArmTypes.agentPool,
  latencyMs: { write: 180_000, delete: 120_000 },
  readOnly: ['currentOrchestratorVersion', 'nodeImageVersion'],
  // The pool name rule (lowercase, 12 characters) is checked with the pool's other rules.
  nameRule: null,
  etagField: 'eTag',
  // AKS creates and updates a cluster's node pools side by side.
  siblingsMayRun: true,
  references(record) {
    const subnet = asString(asObject(record.body.properties)?.vnetSubnetID);
    return subnet !== undefined ? [{ target: subnet, kind: 'subnet', via: record.id }] : [];
  },
  vcpus(record) {
    const props = asObject(record.body.properties);
    return (asNumber(props?.count) ?? 0) * (vcpusOfVmSize(asString(props?.vmSize) ?? '') ?? 0);
  },
  /** Location comes from the cluster (the parent); the pool itself has none. */
  prepare(ctx, record, existing, parent, location) {
    // AKS's rules on what was sent (a count or none), validation on the pool it makes of it.
    const sent = asObject(record.body.properties) ?? {};
    let props = sent;
    if (props.enableAutoScaling === true && props.count === undefined) {
      // The autoscaler owns the count: a write without one keeps the pool's, moved into the new window.
      const min = asNumber(props.minCount);
      const max = asNumber(props.maxCount);
      let count = (existing ? asNumber(asObject(existing.body.properties)?.count) : undefined) ?? min ?? 1;
      if (min !== undefined) count = Math.max(min, count);
      if (max !== undefined) count = Math.min(max, count);
      props = { ...props, count };
      record.body.properties = props;
    }
    const required = validatePool(ctx, record.name, props, location, record.id);
    checkPoolAgainstCluster(
      record.name,
      sent,
      existing ? asObject(existing.body.properties) : undefined,
      asString(asObject(parent?.body.properties)?.kubernetesVersion),
    );
    ctx.checkQuota(record.subscriptionId, location, required, (r) => r.key === record.key);
    return undefined;
  },
  /** AKS announces node pool rollouts (create, update, upgrade) on Event Grid, on the cluster's topic. */
  events(ctx, record, moment) {
    if (moment.kind !== 'write' || !record.parentKey) return [];
    const cluster = ctx.record(record.parentKey);
    if (!cluster) return [];
    const suffix = { started: 'Started', succeeded: 'Succeeded', failed: 'Failed' }[moment.phase];
    return [
      {
        eventType: `Microsoft.ContainerService.NodePoolRolling${suffix}`,
        // As AKS sends them: the topic is the managed cluster's id, the subject its name.
        topic: cluster.id,
        subject: cluster.name,
        data: { nodePoolName: record.name },
      },
    ];
  },
  render(_ctx, _record, _body, props) {
    const version = asString(props.orchestratorVersion);
    if (version !== undefined) props.currentOrchestratorVersion = version;
    if (props.powerState === undefined) props.powerState = { code: 'Running' };
  },
};
