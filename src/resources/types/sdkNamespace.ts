/**
 * The SDK client of one ARM provider namespace, built on first use. Each namespace module loads its
 * `@azure/arm-*` package inside `create` (a `require`, not an import), so loading the app loads no
 * SDK (cold start) and a process only ever loads the packages of the types it touches.
 */
import type { TokenCredential } from '@azure/core-auth';

/** Client options shared by every management client. */
export interface ArmClientOptions {
  endpoint: string;
  credentials: { scopes: string[] };
  tlsOptions?: { ca: string };
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number };
}

export interface SdkConnectionInfo {
  credential: TokenCredential;
  subscriptionId: string;
  options: ArmClientOptions;
}

export interface SdkNamespace<C> {
  /** Provider namespace, e.g. `Microsoft.Network`; one client per namespace and connection. */
  name: string;
  create(info: SdkConnectionInfo): C;
}

/** What reconciling needs to reach ARM: the subscription, the LRO poll interval, and the clients. */
export interface ArmConnection {
  /**
   * The subscription the SDK clients are bound to. The SDK takes it from the client, not from the
   * resource id, so every id handed to the reconciler is checked against it.
   */
  subscriptionId: string;
  /** Gap between LRO polls (`updateIntervalInMs`). */
  pollIntervalMs: number;
  /** The namespace's client, built (and its SDK loaded) on first use, then cached. */
  clientOf<C>(namespace: SdkNamespace<C>): C;
}
