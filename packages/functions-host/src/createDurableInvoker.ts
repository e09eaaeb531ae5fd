import {
  buildInputData,
  type ExtraInputInfo,
  FunctionNotFoundError,
  type FunctionRegistration,
  jsonTypedData,
  type LoadedApp,
  typedDataToJs,
} from './core';
import type { RpcTypedData } from './coreTypes';
import type { DurableFunctionKind, DurableInvoker } from './durable/contract';

export class NotADurableFunctionError extends Error {
  override readonly name = 'NotADurableFunctionError';
  constructor(
    readonly functionName: string,
    readonly triggerType: string,
  ) {
    super(
      `Function "${functionName}" has trigger "${triggerType}", not an orchestration, activity or entity trigger.`,
    );
  }
}

const DURABLE_TRIGGERS: Record<string, DurableFunctionKind> = {
  orchestrationtrigger: 'orchestration',
  activitytrigger: 'activity',
  entitytrigger: 'entity',
};

/** The durable kind of a registration, or undefined for any other trigger. */
export function durableKindOf(registration: FunctionRegistration): DurableFunctionKind | undefined {
  return DURABLE_TRIGGERS[registration.triggerType.toLowerCase()];
}

/** Every durable function the app registered, by name (the `functions` option of DurableEngine). */
export function durableFunctionsOf(app: LoadedApp): Map<string, DurableFunctionKind> {
  const result = new Map<string, DurableFunctionKind>();
  for (const registration of app.registrations.values()) {
    const kind = durableKindOf(registration);
    if (kind) result.set(registration.name, kind);
  }
  return result;
}

export interface DurableInvokerOptions {
  /** Supplies extra inputs a durable function declares (e.g. a durableClient on an activity). */
  resolveExtraInput?: (input: ExtraInputInfo, registration: FunctionRegistration) => unknown;
}

/**
 * The DurableInvoker the engine calls. Trigger payloads are handed over as the Durable extension does over
 * RPC: orchestration and entity batches as a JSON string (the library parses it into the object the
 * durable-functions wrappers expect), activity inputs as JSON typed data so a string input stays a string.
 * The return value (OrchestratorState, entity batch result, activity output) comes back as plain JS.
 */
export function createDurableInvoker(app: LoadedApp, options: DurableInvokerOptions = {}): DurableInvoker {
  return async (functionName: string, triggerInput: unknown): Promise<unknown> => {
    const registration = app.registrations.get(functionName);
    if (!registration) throw new FunctionNotFoundError(functionName);
    const kind = durableKindOf(registration);
    if (!kind) throw new NotADurableFunctionError(functionName, registration.triggerType);
    const trigger: RpcTypedData =
      kind === 'activity' ? jsonTypedData(triggerInput) : { string: JSON.stringify(triggerInput ?? null) };
    const outcome = await app.invoke(functionName, {
      inputData: buildInputData(registration, trigger, options.resolveExtraInput),
    });
    return typedDataToJs(outcome.returnValue);
  };
}
