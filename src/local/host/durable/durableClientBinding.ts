/** The `durableClient` binding value and the check-status URLs, all under the management API. */

function managementBase(origin: string): string {
  return `${origin}/runtime/webhooks/durabletask`;
}

function hubQuery(taskHubName: string): string {
  return `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage`;
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
export function durableClientBinding(origin: string, taskHubName: string): Record<string, unknown> {
  const base = managementBase(origin);
  const query = hubQuery(taskHubName);
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: managementUrls(`${base}/instances/INSTANCEID`, query, 'INSTANCEID'),
    baseUrl: base,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${base}/`,
  };
}

/** The check-status payload (`createCheckStatusResponse` shape) for one instance. */
export function checkStatusPayload(
  origin: string,
  taskHubName: string,
  instanceId: string,
): Record<string, string> {
  const instanceUrl = `${managementBase(origin)}/instances/${encodeURIComponent(instanceId)}`;
  return managementUrls(instanceUrl, hubQuery(taskHubName), instanceId);
}
