import { badRequest } from '../../armError';
import { ArmTypes, keyOf } from '../../armTypes';
import { parseIpv4 } from '../../ipv4';
import { asArray, asObject, asString, type Json, type JsonObject, refId } from '../../json';
import type { Reference, ResourceProvider } from '../provider';
import {
  checkZones,
  ensureResourceGuid,
  entriesOf,
  renderEntry,
  requireRef,
  skuOf,
  stripEntry,
} from '../shared';
import { allocatePrivateIp, checkPublicIpFree } from './ipAllocation';

const LB_COLLECTIONS = [
  'frontendIPConfigurations',
  'backendAddressPools',
  'probes',
  'loadBalancingRules',
  'outboundRules',
  'inboundNatRules',
] as const;

const ENTRY_READ_ONLY = [
  'backendIPConfigurations',
  'loadBalancingRules',
  'outboundRules',
  'inboundNatRules',
  'outboundRule',
];

export const loadBalancers: ResourceProvider = {
  type: ArmTypes.loadBalancer,
  latencyMs: { write: 8_000, delete: 6_000 },
  patch: 'sync',
  stripReadOnly(props) {
    for (const c of LB_COLLECTIONS) for (const e of entriesOf(props, c)) stripEntry(e, ENTRY_READ_ONLY);
  },
  references(record) {
    const refs: Reference[] = [];
    for (const fe of entriesOf(asObject(record.body.properties), 'frontendIPConfigurations')) {
      const via = `${record.id}/frontendIPConfigurations/${asString(fe.name) ?? ''}`;
      const fp = asObject(fe.properties);
      const pip = refId(fp?.publicIPAddress);
      if (pip !== undefined) refs.push({ target: pip, kind: 'publicIPAddress', via });
      const subnet = refId(fp?.subnet);
      if (subnet !== undefined) refs.push({ target: subnet, kind: 'subnet', via });
    }
    return refs;
  },
  inUse: {
    code: 'InUseLoadBalancerCannotBeDeleted',
    message: (record, users) =>
      `Load balancer ${record.id} cannot be deleted because its backend pool is referenced by ${users[0]?.via ?? ''}.`,
  },
  prepare(ctx, record, _existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const sku = skuOf(record);
    const names = (collection: string): Set<string> =>
      new Set(
        asArray(props[collection])
          .map((e) => asString(asObject(e)?.name)?.toLowerCase())
          .filter((n): n is string => n !== undefined),
      );
    const ipsByFrontend: Record<string, Json> = {};
    const used = new Set<number>();
    for (const entry of asArray(props.frontendIPConfigurations)) {
      const fe = asObject(entry) ?? {};
      const feName = asString(fe.name) ?? '';
      const fp = asObject(fe.properties) ?? {};
      checkZones(
        fe.zones,
        location,
        `frontend IP configuration ${feName} of load balancer ${record.name}`,
        sku,
      );
      const pipId = refId(fp.publicIPAddress);
      const subnetId = refId(fp.subnet);
      if (pipId !== undefined) {
        const pip = requireRef(ctx, pipId, ArmTypes.publicIp, record.id, location);
        if (skuOf(pip) !== sku) {
          throw badRequest(
            'DifferentSkuLoadBalancerAndPublicIPAddressNotAllowed',
            `${sku === 'standard' ? 'Standard' : 'Basic'} sku load balancer ${record.id} cannot reference ${skuOf(pip) === 'standard' ? 'Standard' : 'Basic'} sku publicIP ${pip.id}.`,
          );
        }
        checkPublicIpFree(ctx, pip, record.key);
      } else if (subnetId !== undefined) {
        const subnet = requireRef(ctx, subnetId, ArmTypes.subnet, record.id, location);
        const ip = allocatePrivateIp(
          ctx,
          subnet,
          fp,
          record.key,
          used,
          `frontend ${feName} of ${record.id}`,
          asString(asObject(record.derived.frontendIps)?.[feName.toLowerCase()]),
        );
        used.add(parseIpv4(ip) ?? -1);
        ipsByFrontend[feName.toLowerCase()] = ip;
      } else {
        throw badRequest(
          'InvalidRequestFormat',
          `Frontend IP configuration ${feName} of ${record.id} needs a publicIPAddress or a subnet.`,
        );
      }
    }
    const checkChildRef = (value: Json | undefined, collection: string, field: string): void => {
      const id = refId(value);
      if (id === undefined) return;
      const prefix = `${record.key}/${collection.toLowerCase()}/`;
      const key = keyOf(id);
      if (!key.startsWith(prefix) || !names(collection).has(key.slice(prefix.length))) {
        throw badRequest(
          'InvalidResourceReference',
          `Resource ${id} referenced by ${field} of load balancer ${record.id} was not found.`,
        );
      }
    };
    for (const entry of asArray(props.loadBalancingRules)) {
      const rp = asObject(asObject(entry)?.properties) ?? {};
      checkChildRef(rp.frontendIPConfiguration, 'frontendIPConfigurations', 'a load balancing rule');
      checkChildRef(rp.backendAddressPool, 'backendAddressPools', 'a load balancing rule');
      checkChildRef(rp.probe, 'probes', 'a load balancing rule');
    }
    for (const entry of asArray(props.outboundRules)) {
      const rp = asObject(asObject(entry)?.properties) ?? {};
      for (const fe of asArray(rp.frontendIPConfigurations)) {
        checkChildRef(fe, 'frontendIPConfigurations', 'an outbound rule');
      }
      checkChildRef(rp.backendAddressPool, 'backendAddressPools', 'an outbound rule');
    }
    // A backend pool still used by NICs cannot disappear from the load balancer.
    const pools = names('backendAddressPools');
    for (const member of ctx.referrers(record.key)) {
      const entry = member.entry?.toLowerCase();
      const pool = entry?.startsWith('backendaddresspools/')
        ? entry.slice('backendaddresspools/'.length)
        : undefined;
      if (pool !== undefined && !pools.has(pool)) {
        throw badRequest(
          'InUseBackendAddressPoolCannotBeDeleted',
          `Backend address pool ${member.target}/${member.entry ?? ''} is in use by ${member.via} and cannot be deleted.`,
        );
      }
    }
    record.derived.frontendIps = ipsByFrontend;
    ensureResourceGuid(record);
    return undefined;
  },
  render(ctx, record, body, props) {
    const members = ctx.referrers(record.key);
    for (const collection of LB_COLLECTIONS) {
      if (!Array.isArray(props[collection])) continue;
      props[collection] = asArray(props[collection]).map((e) => {
        const entry: JsonObject = renderEntry(
          e,
          `${record.id}/${collection}`,
          `Microsoft.Network/loadBalancers/${collection}`,
        );
        const name = asString(entry.name) ?? '';
        const ep = asObject(entry.properties) ?? {};
        if (collection === 'backendAddressPools') {
          const entryKey = `backendaddresspools/${name.toLowerCase()}`;
          const ipcs = members.filter((m) => m.entry?.toLowerCase() === entryKey).map((m) => ({ id: m.via }));
          if (ipcs.length > 0) ep.backendIPConfigurations = ipcs;
        }
        if (collection === 'frontendIPConfigurations') {
          const ip = asString(asObject(record.derived.frontendIps)?.[name.toLowerCase()]);
          if (ip !== undefined) ep.privateIPAddress = ip;
        }
        return entry;
      });
    }
    if (body.sku === undefined) body.sku = { name: 'Standard', tier: 'Regional' };
  },
};
