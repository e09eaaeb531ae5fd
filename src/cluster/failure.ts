/**
 * The one shape of a failure a user reads, in status (`GET /api/clusters/{name}`), in lifecycle
 * events and in errors recovered from activities: which resource failed and what Azure (or the
 * runtime) said about it.
 */
export interface ResourceFailure {
  /** ARM id of the failing resource ('' when no resource is known). */
  resource: string;
  /** ARM's error code (e.g. `QuotaExceeded`), or ours (`ActivityFailed`, `OrchestrationFailed`). */
  code: string;
  message: string;
}
