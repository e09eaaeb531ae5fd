import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asObject, refId } from '../../json';
import type { Reference, ResourceProvider } from '../provider';
import { checkZones, ensureResourceGuid, requireRef, skuOf } from '../shared';
import { checkPublicIpFree } from './ipAllocation';

export const natGateways: ResourceProvider = {
  type: ArmTypes.natGateway,
  latencyMs: { write: 8_000, delete: 6_000 },
  readOnly: ['subnets'],
  patch: 'sync',
  references(record) {
    return asArray(asObject(record.body.properties)?.publicIpAddresses)
      .map(refId)
      .filter((id): id is string => id !== undefined)
      .map((target): Reference => ({ target, kind: 'publicIPAddress', via: record.id }));
  },
  inUse: {
    code: 'InUseNatGatewayCannotBeDeleted',
    message: (record, users) =>
      `NAT gateway ${record.id} is in use by subnet(s) ${users.map((u) => u.via).join(', ')} and cannot be deleted.`,
  },
  prepare(ctx, record, _existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    const zones = checkZones(record.body.zones, location, `NAT gateway ${record.name}`);
    if (zones.length > 1) {
      throw badRequest(
        'NatGatewayCannotHaveMultipleZones',
        `NAT gateway ${record.name} can be in at most one zone.`,
      );
    }
    for (const entry of asArray(props.publicIpAddresses)) {
      const pip = requireRef(ctx, refId(entry), ArmTypes.publicIp, record.id, location);
      if (skuOf(pip) !== 'standard') {
        throw badRequest(
          'NatGatewayCannotUseBasicPublicIp',
          `NAT gateway ${record.id} cannot use Basic SKU public IP address ${pip.id}; Standard SKU is required.`,
        );
      }
      checkPublicIpFree(ctx, pip, record.key);
    }
    ensureResourceGuid(record);
    return undefined;
  },
  render(ctx, record, body, props) {
    const subnets = ctx.referrers(record.key).filter((u) => u.from.type === ArmTypes.subnet);
    if (subnets.length > 0) props.subnets = subnets.map((u) => ({ id: u.via }));
    if (body.sku === undefined) body.sku = { name: 'Standard' };
  },
};
