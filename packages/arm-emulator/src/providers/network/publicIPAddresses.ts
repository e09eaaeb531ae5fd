import { ArmTypes } from '../../armTypes';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';
import { checkZones, ensureResourceGuid } from '../shared';
import { publicIpUser } from './ipAllocation';

export const publicIPAddresses: ResourceProvider = {
  type: ArmTypes.publicIp,
  latencyMs: { write: 3_500, delete: 2_500 },
  readOnly: ['ipConfiguration', 'ipAddress', 'natGateway'],
  patch: 'sync',
  inUse: {
    code: 'PublicIPAddressCannotBeDeleted',
    message: (record, users) =>
      `Public IP address ${record.id} can not be deleted since it is still allocated to resource ${users[0]?.via ?? ''}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`,
  },
  prepare(ctx, record, _existing, _parent, location) {
    const sku = asString(asObject(record.body.sku)?.name) ?? 'Standard';
    checkZones(record.body.zones, location, `public IP address ${record.name}`, sku);
    ensureResourceGuid(record);
    if (!record.derived.ipAddress) {
      const n = ctx.nextPublicIpNumber();
      record.derived.ipAddress = `20.${100 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
    }
    return undefined;
  },
  render(ctx, record, body, props) {
    const ip = asString(record.derived.ipAddress);
    if (ip !== undefined) props.ipAddress = ip;
    const user = publicIpUser(ctx, record, undefined);
    if (user?.from.type === ArmTypes.natGateway) props.natGateway = { id: user.from.id };
    else if (user !== undefined) props.ipConfiguration = { id: user.via };
    if (body.sku === undefined) body.sku = { name: 'Standard', tier: 'Regional' };
  },
};
