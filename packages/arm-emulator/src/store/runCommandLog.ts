import { asObject, asString, clone, type JsonObject } from '../json';
import { RUN_COMMAND_TYPE, runCommandInstanceView } from '../providers/compute/runCommands';
import type { Operations } from './operations';
import type { LroRecord, ResourceRecord } from './records';

/** A `{ name, value }` parameter of a run command. */
export interface RunCommandParameter {
  name: string;
  value: string;
}

/**
 * One run command PUT as the VM would have executed it, protected parameters included: what a test
 * may check and ARM never returns. Memory only, never in the state file.
 */
export interface RunCommandExecution {
  /** Order of the executions (1, 2, …). */
  seq: number;
  /** The run command's id and the VM's. */
  runCommandId: string;
  vmId: string;
  name: string;
  source: { script?: string; scriptUri?: string; commandId?: string };
  parameters: RunCommandParameter[];
  protectedParameters: RunCommandParameter[];
  asyncExecution: boolean;
  timeoutInSeconds?: number;
  runAsUser?: string;
  /** The long-running operation of the PUT. */
  operationId: string;
  startedAt: string;
}

function parametersOf(value: unknown): RunCommandParameter[] {
  return (Array.isArray(value) ? value : [])
    .map((p) => asObject(p as JsonObject))
    .filter((p): p is JsonObject => p !== undefined)
    .map((p) => ({ name: asString(p.name) ?? '', value: asString(p.value) ?? '' }));
}

/** The run commands executed since the last reset (see `RunCommandExecution`). */
export class RunCommandLog {
  private readonly executions: RunCommandExecution[] = [];

  /** Records a run command PUT (its operation becomes the instance view's execution). */
  start(
    record: ResourceRecord,
    requestBody: JsonObject,
    op: LroRecord,
    vm: ResourceRecord | undefined,
  ): void {
    record.derived.operationId = op.id;
    const props = asObject(requestBody.properties) ?? {};
    const source = asObject(props.source) ?? {};
    const pick = (k: string): Record<string, string> => {
      const v = asString(source[k]);
      return v === undefined ? {} : { [k]: v };
    };
    const timeout = props.timeoutInSeconds;
    const runAsUser = asString(props.runAsUser);
    this.executions.push({
      seq: this.executions.length + 1,
      runCommandId: record.id,
      vmId: vm?.id ?? '',
      name: record.name,
      source: { ...pick('script'), ...pick('scriptUri'), ...pick('commandId') },
      parameters: parametersOf(props.parameters),
      protectedParameters: parametersOf(props.protectedParameters),
      asyncExecution: props.asyncExecution === true,
      ...(typeof timeout === 'number' ? { timeoutInSeconds: timeout } : {}),
      ...(runAsUser !== undefined ? { runAsUser } : {}),
      operationId: op.id,
      startedAt: new Date(op.startedAt).toISOString(),
    });
  }

  /** Every run command executed (oldest first), with its protected parameters; test-only. */
  list(): RunCommandExecution[] {
    return this.executions.map((e) => clone(e as unknown as JsonObject) as unknown as RunCommandExecution);
  }

  clear(): void {
    this.executions.length = 0;
  }
}

/** A resource as ARM returns it; `expand: 'instanceView'` adds a run command's instance view. */
export function withInstanceView(
  body: JsonObject,
  record: ResourceRecord,
  expand: string | undefined,
  operations: Operations,
): JsonObject {
  if (record.type === RUN_COMMAND_TYPE && expand?.toLowerCase() === 'instanceview') {
    const opId = asString(record.derived.operationId);
    const op = opId !== undefined ? operations.get(opId) : undefined;
    body.properties = {
      ...(asObject(body.properties) ?? {}),
      instanceView: runCommandInstanceView(record, op),
    };
  }
  return body;
}
