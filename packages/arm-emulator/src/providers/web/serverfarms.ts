import { badRequest } from '../../armError';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';

/**
 * App Service plans. A Flex Consumption plan (`FC1` / `FlexConsumption`) is Linux only
 * (`reserved: true`) and hosts function apps. Microsoft.Web answers writes at once.
 */
export const serverfarms: ResourceProvider = {
  type: 'Microsoft.Web/serverfarms',
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  patch: 'sync',
  readOnly: ['status', 'numberOfSites', 'maximumNumberOfWorkers'],
  prepare(_ctx, record) {
    const sku = asObject(record.body.sku);
    const name = asString(sku?.name);
    if (name === undefined)
      throw badRequest('InvalidRequestContent', `Plan ${record.name}: sku.name is required.`);
    const flex = name.toUpperCase() === 'FC1' || asString(sku?.tier)?.toLowerCase() === 'flexconsumption';
    if (flex && asObject(record.body.properties)?.reserved !== true)
      throw badRequest(
        'BadRequest',
        `Flex Consumption plan ${record.name} must be a Linux plan (properties.reserved: true).`,
      );
    return undefined;
  },
  render(ctx, record, _body, props) {
    props.status = 'Ready';
    props.numberOfSites = ctx
      .referrers(record.key)
      .filter((r) => r.from.type === 'Microsoft.Web/sites').length;
  },
};
