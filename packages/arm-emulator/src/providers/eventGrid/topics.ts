import { badRequest } from '../../armError';
import { asArray, asObject, asString, type JsonObject } from '../../json';
import type { ResourceProvider } from '../provider';

/** Custom topics: ARM computes the endpoint events are published to. */
export const topics: ResourceProvider = {
  type: 'Microsoft.EventGrid/topics',
  latencyMs: { write: 3_000, delete: 3_000 },
  readOnly: ['endpoint', 'metricResourceId'],
  patch: 'lro',
  prepare(_ctx, record) {
    const schema = asString(asObject(record.body.properties)?.inputSchema) ?? 'EventGridSchema';
    if (!['EventGridSchema', 'CloudEventSchemaV1_0', 'CustomEventSchema'].includes(schema))
      throw badRequest('InvalidRequest', `Topic ${record.name}: unknown inputSchema ${schema}.`);
    return undefined;
  },
  render(ctx, record, _body, props) {
    props.endpoint = `https://${record.name}.${ctx.recordLocation(record)}-1.eventgrid.azure.net/api/events`;
  },
};

/** System topics: the source resource and its topic type; resource-group topics live in `global`. */
export const systemTopics: ResourceProvider = {
  type: 'Microsoft.EventGrid/systemTopics',
  globalLocation: true,
  latencyMs: { write: 3_000, delete: 3_000 },
  readOnly: ['metricResourceId'],
  patch: 'lro',
  prepare(_ctx, record) {
    const props = asObject(record.body.properties) ?? {};
    const source = asString(props.source);
    const topicType = asString(props.topicType);
    if (source === undefined || topicType === undefined)
      throw badRequest(
        'InvalidRequest',
        `System topic ${record.name}: properties.source and properties.topicType are required.`,
      );
    if (topicType.toLowerCase() === 'microsoft.resources.resourcegroups') {
      const rg = `/subscriptions/${record.subscriptionId}/resourceGroups/${record.resourceGroup}`;
      if (source.toLowerCase() !== rg.toLowerCase())
        throw badRequest(
          'InvalidRequest',
          `System topic ${record.name}: the source of a resource-group topic must be ${rg}.`,
        );
      if (asString(record.body.location)?.toLowerCase() !== 'global')
        throw badRequest(
          'InvalidRequest',
          `System topic ${record.name}: a resource-group topic's location must be 'global'.`,
        );
    }
    return undefined;
  },
};

function functionTarget(body: JsonObject): string | undefined {
  const destination = asObject(asObject(body.properties)?.destination);
  if (asString(destination?.endpointType) !== 'AzureFunction') return undefined;
  return asString(asObject(destination?.properties)?.resourceId);
}

/**
 * Event subscriptions (on custom and system topics). An Azure Function destination is validated as
 * Event Grid does it: the site must exist (the function name is checked only on Azure, where the
 * function list is known); advanced filters are limited to 25 values in all.
 */
function eventSubscriptions(type: string): ResourceProvider {
  return {
    type,
    latencyMs: { write: 2_000, delete: 2_000 },
    readOnly: ['topic'],
    patch: 'lro',
    references(record) {
      const target = functionTarget(record.body);
      const site = target?.replace(/\/functions\/[^/]+$/i, '');
      return site === undefined
        ? []
        : [{ target: site, kind: 'eventSubscriptionDestination', via: record.id }];
    },
    prepare(ctx, record) {
      const props = asObject(record.body.properties) ?? {};
      const destination = asObject(props.destination);
      const endpointType = asString(destination?.endpointType);
      if (endpointType === undefined)
        throw badRequest(
          'InvalidRequest',
          `Event subscription ${record.name}: destination.endpointType is required.`,
        );
      if (endpointType === 'AzureFunction') {
        const target = functionTarget(record.body) ?? '';
        const match = /^(.*\/providers\/Microsoft\.Web\/sites\/[^/]+)\/functions\/[^/]+$/i.exec(target);
        if (!match || !ctx.record(match[1]!.toLowerCase()))
          throw badRequest(
            'InvalidRequest',
            `Event subscription ${record.name}: the destination '${target}' is not a function of an existing function app.`,
          );
      }
      const filters = asArray(asObject(props.filter)?.advancedFilters);
      const values = filters.reduce<number>((n, f) => n + asArray(asObject(f)?.values).length, 0);
      if (values > 25)
        throw badRequest(
          'InvalidRequest',
          `Event subscription ${record.name}: ${values} advanced filter values; at most 25 are allowed.`,
        );
      return undefined;
    },
    render(_ctx, record, _body, props) {
      props.topic = record.id.replace(/\/eventSubscriptions\/[^/]+$/i, '');
    },
  };
}

export const topicEventSubscriptions = eventSubscriptions('Microsoft.EventGrid/topics/eventSubscriptions');
export const systemTopicEventSubscriptions = eventSubscriptions(
  'Microsoft.EventGrid/systemTopics/eventSubscriptions',
);
