import { badRequest } from '../../armError';
import { asObject, asString } from '../../json';
import type { ResourceProvider } from '../provider';
import { requireRef } from '../shared';

const WORKSPACES = 'Microsoft.OperationalInsights/workspaces';

/** Log Analytics workspaces (the storage behind workspace-based Application Insights). */
export const workspaces: ResourceProvider = {
  type: WORKSPACES,
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  patch: 'sync',
  readOnly: ['customerId', 'createdDate'],
  prepare(_ctx, record) {
    if (!record.derived.customerId) record.derived.customerId = crypto.randomUUID();
    return undefined;
  },
  render(_ctx, record, _body, props) {
    const customerId = asString(record.derived.customerId);
    if (customerId !== undefined) props.customerId = customerId;
  },
};

/**
 * Application Insights components. New components are workspace-based (classic ones can no longer
 * be created), so `WorkspaceResourceId` must name an existing workspace. ARM computes the
 * instrumentation key, app id and connection string.
 */
export const components: ResourceProvider = {
  type: 'Microsoft.Insights/components',
  latencyMs: { write: 0, delete: 0 },
  sync: true,
  patch: 'sync',
  readOnly: ['InstrumentationKey', 'ConnectionString', 'AppId', 'ApplicationId', 'CreationDate', 'TenantId'],
  references(record) {
    const ws = asString(asObject(record.body.properties)?.WorkspaceResourceId);
    return ws === undefined ? [] : [{ target: ws, kind: 'workspace', via: record.id }];
  },
  prepare(ctx, record, _existing, _parent, location) {
    const props = asObject(record.body.properties) ?? {};
    if (asString(props.Application_Type) === undefined)
      throw badRequest('BadRequest', `Component ${record.name}: properties.Application_Type is required.`);
    requireRef(ctx, asString(props.WorkspaceResourceId), WORKSPACES, record.id, location);
    if (!record.derived.instrumentationKey) record.derived.instrumentationKey = crypto.randomUUID();
    if (!record.derived.appId) record.derived.appId = crypto.randomUUID();
    return undefined;
  },
  render(ctx, record, _body, props) {
    const key = asString(record.derived.instrumentationKey) ?? '';
    const region = ctx.recordLocation(record);
    props.InstrumentationKey = key;
    props.AppId = asString(record.derived.appId) ?? '';
    props.ApplicationId = record.name;
    props.ConnectionString = `InstrumentationKey=${key};IngestionEndpoint=https://${region}-0.in.applicationinsights.azure.com/`;
  },
};
