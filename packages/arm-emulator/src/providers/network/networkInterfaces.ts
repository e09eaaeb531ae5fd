import { createHash } from 'node:crypto';

import { badRequest } from '../../armError';
import { ArmTypes, keyOf } from '../../armTypes';
import { parseIpv4 } from '../../ipv4';
import { asArray, asObject, asString, type JsonObject, refId } from '../../json';
import type { ProviderContext, Reference, ResourceProvider } from '../provider';
import {
  ensureResourceGuid,
  entriesOf,
  invalidReference,
  renderEntry,
  requireRef,
  stripEntry,
} from '../shared';
import { allocatePrivateIp, checkPublicIpFree } from './ipAllocation';

const POOL_ID = /^(.*\/loadBalancers\/[^/]+)\/(backendAddressPools\/[^/]+)$/i;

function requireBackendPool(ctx: ProviderContext, poolId: string | undefined, fromId: string): void {
  const match = poolId !== undefined ? POOL_ID.exec(poolId.replace(/\/+$/, '')) : null;
  const lb = match?.[1] !== undefined ? ctx.record(keyOf(match[1])) : undefined;
  const poolName = match?.[2]?.split('/')[1]?.toLowerCase();
  const exists =
    lb !== undefined &&
    asArray(asObject(lb.body.properties)?.backendAddressPools).some(
      (p) => asString(asObject(p)?.name)?.toLowerCase() === poolName,
    );
  if (!exists) throw invalidReference(poolId, fromId);
}

export const networkInterfaces: ResourceProvider = {
  type: ArmTypes.nic,
  latencyMs: { write: 2_000, delete: 2_000 },
  readOnly: ['virtualMachine', 'macAddress', 'hostedWorkloads', 'tapConfigurations'],
  patch: 'sync',
  stripReadOnly(props) {
    for (const c of entriesOf(props, 'ipConfigurations')) {
      stripEntry(c);
      const cp = asObject(c.properties);
      if (cp && asString(cp.privateIPAllocationMethod)?.toLowerCase() !== 'static')
        delete cp.privateIPAddress;
    }
  },
  references(record) {
    const props = asObject(record.body.properties);
    const refs: Reference[] = [];
    const nsg = refId(props?.networkSecurityGroup);
    if (nsg !== undefined) refs.push({ target: nsg, kind: 'networkSecurityGroup', via: record.id });
    for (const cfg of entriesOf(props, 'ipConfigurations')) {
      const via = `${record.id}/ipConfigurations/${asString(cfg.name) ?? ''}`;
      const cp = asObject(cfg.properties);
      const subnet = refId(cp?.subnet);
      if (subnet !== undefined) refs.push({ target: subnet, kind: 'subnet', via });
      const pip = refId(cp?.publicIPAddress);
      if (pip !== undefined) refs.push({ target: pip, kind: 'publicIPAddress', via });
      for (const pool of asArray(cp?.loadBalancerBackendAddressPools)) {
        const match = POOL_ID.exec(refId(pool)?.replace(/\/+$/, '') ?? '');
        if (match?.[1] !== undefined && match[2] !== undefined) {
          refs.push({ target: match[1], entry: match[2], kind: 'backendAddressPool', via });
        }
      }
    }
    return refs;
  },
  inUse: {
    code: 'InUseNetworkInterfaceCannotBeDeleted',
    message: (record, users) =>
      `Network Interface ${record.id} is used by existing resource ${users[0]?.via ?? ''}. In order to delete the network interface, it must be dissociated from the resource.`,
  },
  prepare(ctx, record, _existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const nsg = refId(props.networkSecurityGroup);
    if (nsg !== undefined) requireRef(ctx, nsg, ArmTypes.nsg, record.id, location);
    const configs = asArray(props.ipConfigurations).map(asObject);
    if (configs.length === 0) {
      throw badRequest(
        'InvalidRequestFormat',
        `Network interface ${record.id} needs at least one entry in properties.ipConfigurations.`,
      );
    }
    const previous = asObject(record.derived.privateIps) ?? {};
    const privateIps: JsonObject = {};
    const used = new Set<number>();
    for (const cfg of configs) {
      const name = asString(cfg?.name);
      if (!cfg || !name)
        throw badRequest('InvalidRequestFormat', `Every ipConfiguration of ${record.id} needs a name.`);
      const cp = asObject(cfg.properties) ?? {};
      const cfgId = `${record.id}/ipConfigurations/${name}`;
      const subnet = requireRef(ctx, refId(cp.subnet), ArmTypes.subnet, cfgId, location);
      const pipId = refId(cp.publicIPAddress);
      if (pipId !== undefined) {
        checkPublicIpFree(ctx, requireRef(ctx, pipId, ArmTypes.publicIp, cfgId, location), record.key);
      }
      for (const pool of asArray(cp.loadBalancerBackendAddressPools))
        requireBackendPool(ctx, refId(pool), cfgId);
      const prior = asObject(previous[name.toLowerCase()]);
      const priorIp = asString(prior?.subnet) === subnet.key ? asString(prior?.ip) : undefined;
      const ip = allocatePrivateIp(ctx, subnet, cp, record.key, used, cfgId, priorIp);
      used.add(parseIpv4(ip) ?? -1);
      privateIps[name.toLowerCase()] = { ip, subnet: subnet.key };
    }
    record.derived.privateIps = privateIps;
    ensureResourceGuid(record);
    return undefined;
  },
  render(ctx, record, _body, props) {
    const ips = asObject(record.derived.privateIps) ?? {};
    props.ipConfigurations = asArray(props.ipConfigurations).map((c) => {
      const entry = renderEntry(
        c,
        `${record.id}/ipConfigurations`,
        'Microsoft.Network/networkInterfaces/ipConfigurations',
      );
      const ep = asObject(entry.properties) ?? {};
      const ip = asString(asObject(ips[(asString(entry.name) ?? '').toLowerCase()])?.ip);
      if (ip !== undefined) {
        ep.privateIPAddress = ip;
        if (ep.privateIPAddressVersion === undefined) ep.privateIPAddressVersion = 'IPv4';
      }
      return entry;
    });
    const vm = ctx.referrers(record.key).find((u) => u.from.type === ArmTypes.vm);
    if (vm) {
      props.virtualMachine = { id: vm.from.id };
      const hex = createHash('sha256').update(record.key).digest('hex').toUpperCase();
      props.macAddress = `00-22-48-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
    }
  },
};
