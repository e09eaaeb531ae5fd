/**
 * History events and orchestrator actions in the wire shapes the durable-functions orchestrator wrapper reads
 * and writes (PascalCase events with numeric `EventType`; camelCase actions with numeric `actionType`).
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** The failure payload the SDK turns into a `TaskFailedError`. */
export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
}

/**
 * One history event. Only the fields the SDK reads are typed; results and inputs are JSON text as the
 * extension sends them.
 */
export interface HistoryEvent {
  EventType: EventTypeValue;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetails;
}

/** An action as returned by the orchestrator wrapper, after conversion to plain JSON. */
export interface RawAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RawRetryOptions;
  instanceId?: string;
  fireAt?: string | Date;
  isCanceled?: boolean;
  externalEventName?: string;
  operation?: string;
  compoundActions?: RawAction[];
}

export interface RawRetryOptions {
  firstRetryIntervalInMilliseconds?: number;
  maxNumberOfAttempts?: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** What the orchestrator wrapper returns for one episode. */
export interface OrchestratorState {
  isDone: boolean;
  actions: RawAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export function newEvent(
  type: EventTypeValue,
  fields: Partial<HistoryEvent> = {},
  now = Date.now(),
): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: new Date(now).toISOString(), ...fields };
}

/** JSON text for a value, with `undefined` encoded as `null` (the SDK JSON.parses every result). */
export function toJsonText(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function parseJsonText(text: string | null | undefined): unknown {
  if (text == null || text === '') return undefined;
  return JSON.parse(text) as unknown;
}

interface ErrorLike {
  name: string;
  message: string;
  stack?: string;
}

/**
 * Errors thrown by the app may come from another realm (the app is loaded by Node's own loader, e.g. under
 * jest), where `instanceof Error` is false, so errors are recognised by shape.
 */
export function asErrorLike(error: unknown): ErrorLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message, stack } = error as Partial<Record<keyof ErrorLike, unknown>>;
  if (typeof message !== 'string') return undefined;
  return {
    name: typeof name === 'string' ? name : 'Error',
    message,
    stack: typeof stack === 'string' ? stack : undefined,
  };
}

export function errorMessageOf(error: unknown): string {
  return (
    asErrorLike(error)?.message ??
    (typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)))
  );
}

export function failureDetailsOf(error: unknown): FailureDetails {
  const like = asErrorLike(error);
  if (like !== undefined) return { ErrorType: like.name, ErrorMessage: like.message, StackTrace: like.stack };
  return { ErrorType: 'Error', ErrorMessage: errorMessageOf(error) };
}

/** A failure event body carrying both the modern FailureDetails and the older Reason/Details pair. */
export function failureFields(details: FailureDetails): Partial<HistoryEvent> {
  return { Reason: details.ErrorMessage, Details: details.StackTrace ?? '', FailureDetails: details };
}
