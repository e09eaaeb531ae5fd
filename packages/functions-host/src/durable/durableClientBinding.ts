/**
 * The `durableClient` binding value and the check-status URLs, all under the management API.
 *
 * With a `key` (the host's `durabletask_extension` system key) every webhook URL carries it as `code=`,
 * as the extension's do on Azure: `requiredQueryStringParameters`, the creation and management URL
 * templates and therefore every URL of `createCheckStatusResponse`. The client's RPC calls resolve their
 * paths against `rpcBaseUrl`, which drops any query string; on Azure that endpoint is a separate port that
 * takes no key, here it is the same keyed API, so the key rides in the URL's user info and the client's
 * HTTP library (axios) sends it as Basic credentials, which the host accepts on the management routes.
 */

export const RPC_USER = 'durabletask_extension';

function managementBase(origin: string): string {
  return `${origin}/runtime/webhooks/durabletask`;
}

function hubQuery(taskHubName: string, key: string | undefined): string {
  const code = key === undefined ? '' : `&code=${encodeURIComponent(key)}`;
  return `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage${code}`;
}

function withUserInfo(origin: string, key: string | undefined): string {
  if (key === undefined) return origin;
  const url = new URL(origin);
  url.username = RPC_USER;
  url.password = encodeURIComponent(key);
  return url.href.replace(/\/$/, '');
}

function managementUrls(instanceUrl: string, query: string, id: string): Record<string, string> {
  return {
    id,
    statusQueryGetUri: `${instanceUrl}?${query}`,
    sendEventPostUri: `${instanceUrl}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instanceUrl}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instanceUrl}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instanceUrl}?${query}`,
    restartPostUri: `${instanceUrl}/restart?${query}`,
    suspendPostUri: `${instanceUrl}/suspend?reason={text}&${query}`,
    resumePostUri: `${instanceUrl}/resume?reason={text}&${query}`,
  };
}

/**
 * The `durableClient` input binding value for a host at `origin`: every URL, `rpcBaseUrl` included, points
 * at the management API, so one set of routes serves both the RPC and the webhook style of the client.
 */
export function durableClientBinding(
  origin: string,
  taskHubName: string,
  key?: string,
): Record<string, unknown> {
  const base = managementBase(origin);
  const query = hubQuery(taskHubName, key);
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: managementUrls(`${base}/instances/INSTANCEID`, query, 'INSTANCEID'),
    baseUrl: base,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${managementBase(withUserInfo(origin, key))}/`,
  };
}

/** The check-status payload (`createCheckStatusResponse` shape) for one instance. */
export function checkStatusPayload(
  origin: string,
  taskHubName: string,
  instanceId: string,
  key?: string,
): Record<string, string> {
  const instanceUrl = `${managementBase(origin)}/instances/${encodeURIComponent(instanceId)}`;
  return managementUrls(instanceUrl, hubQuery(taskHubName, key), instanceId);
}
