import { badRequest } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asNumber, asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';
import { ensureResourceGuid, entriesOf, renderEntry, stripEntry } from '../shared';

const DEFAULT_SECURITY_RULES: [string, string, number, string, string, string][] = [
  ['AllowVnetInBound', 'Inbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 65001, 'Allow', 'AzureLoadBalancer', '*'],
  ['DenyAllInBound', 'Inbound', 65500, 'Deny', '*', '*'],
  ['AllowVnetOutBound', 'Outbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowInternetOutBound', 'Outbound', 65001, 'Allow', '*', 'Internet'],
  ['DenyAllOutBound', 'Outbound', 65500, 'Deny', '*', '*'],
];

export const networkSecurityGroups: ResourceProvider = {
  type: ArmTypes.nsg,
  latencyMs: { write: 3_000, delete: 2_500 },
  readOnly: ['subnets', 'networkInterfaces', 'defaultSecurityRules', 'flowLogs'],
  patch: 'sync',
  stripReadOnly(props) {
    for (const r of entriesOf(props, 'securityRules')) stripEntry(r);
  },
  inUse: {
    code: 'InUseNetworkSecurityGroupCannotBeDeleted',
    message: (record, users) => {
      const ids = [
        ...users.filter((u) => u.from.type === ArmTypes.subnet),
        ...users.filter((u) => u.from.type === ArmTypes.nic),
      ].map((u) => u.via);
      return `Network security group ${record.id} cannot be deleted because it is in use by the following resources: ${ids.join(', ')}. In order to delete the Network security group, remove the association with the resource(s).`;
    },
  },
  prepare(_ctx, record) {
    const props = asObject(record.body.properties) ?? {};
    const seen = new Map<string, string>();
    for (const entry of asArray(props.securityRules)) {
      const rule = asObject(entry);
      const name = asString(rule?.name) ?? '';
      const rp = asObject(rule?.properties) ?? {};
      const priority = asNumber(rp.priority);
      if (priority === undefined || priority < 100 || priority > 4096 || !Number.isInteger(priority)) {
        throw badRequest(
          'SecurityRuleInvalidPriority',
          `Security rule ${name} has invalid Priority. Value provided: ${JSON.stringify(rp.priority)} Allowed range 100-4096.`,
        );
      }
      const slot = `${asString(rp.direction)?.toLowerCase() ?? ''}/${priority}`;
      const other = seen.get(slot);
      if (other !== undefined) {
        throw badRequest(
          'SecurityRuleConflict',
          `Security rule ${name} conflicts with rule ${other}. Rules cannot have the same Priority and Direction.`,
        );
      }
      seen.set(slot, name);
    }
    ensureResourceGuid(record);
    return undefined;
  },
  render(ctx, record, _body, props) {
    props.securityRules = asArray(props.securityRules).map((r) =>
      renderEntry(r, `${record.id}/securityRules`, 'Microsoft.Network/networkSecurityGroups/securityRules'),
    );
    props.defaultSecurityRules = DEFAULT_SECURITY_RULES.map(
      ([name, direction, priority, access, source, destination]) => ({
        name,
        id: `${record.id}/defaultSecurityRules/${name}`,
        type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules',
        properties: {
          protocol: '*',
          sourcePortRange: '*',
          destinationPortRange: '*',
          sourceAddressPrefix: source,
          destinationAddressPrefix: destination,
          access,
          priority,
          direction,
          provisioningState: 'Succeeded',
        },
      }),
    );
    const users = ctx.referrers(record.key);
    const subnets = users.filter((u) => u.from.type === ArmTypes.subnet);
    if (subnets.length > 0) props.subnets = subnets.map((u) => ({ id: u.via }));
    const nics = users.filter((u) => u.from.type === ArmTypes.nic);
    if (nics.length > 0) props.networkInterfaces = nics.map((u) => ({ id: u.via }));
  },
};
