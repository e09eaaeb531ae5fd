/**
 * Managed run commands of a VM (`Microsoft.Compute/virtualMachines/runCommands`): a script ARM runs
 * on the VM through its agent. A PUT is a long-running operation that ends when the script has run
 * (or, with `asyncExecution`, when it has started); the emulator runs nothing and records the
 * execution instead (`ArmStore.runCommandExecutions`, for tests only).
 *
 * `protectedParameters` and `runAsPassword` are accepted and never returned (GET, list, the
 * operation's result) nor kept in the state file, as on Azure. The instance view (`$expand=instanceView`)
 * reports the execution: `executionState`, `exitCode`, `output`, `error`, start and end time.
 */
import { badRequest, conflict } from '../../armError';
import { ArmTypes } from '../../armTypes';
import { asArray, asObject, asString, type Json, type JsonObject } from '../../json';
import type { LroRecord, ResourceRecord } from '../../store/records';
import type { ResourceProvider } from '../provider';

export const RUN_COMMAND_TYPE = 'Microsoft.Compute/virtualMachines/runCommands';

/** Azure's answer to an extension or run-command write on a VM that is not running. */
export const VM_NOT_RUNNING_CODE = 'OperationNotAllowed';

/** The longest timeout Azure accepts for a managed run command (seconds): 90 minutes. */
const MAX_TIMEOUT_SECONDS = 5_400;

function checkParameters(value: Json | undefined, field: string): void {
  if (value === undefined) return;
  const list = asArray(value);
  if (!Array.isArray(value))
    throw badRequest('InvalidParameter', `${field} must be an array of { name, value }.`);
  list.forEach((p, i) => {
    const entry = asObject(p);
    if (!entry || typeof entry.name !== 'string' || entry.name === '' || typeof entry.value !== 'string') {
      throw badRequest(
        'InvalidParameter',
        `${field}[${i}] must be { name: non-empty string, value: string }.`,
      );
    }
  });
}

function checkSource(props: JsonObject, name: string): void {
  const source = asObject(props.source);
  const given = ['script', 'scriptUri', 'commandId'].filter((k) => asString(source?.[k]) !== undefined);
  if (given.length !== 1) {
    throw badRequest(
      'InvalidParameter',
      `Run command ${name} needs exactly one of properties.source.script, properties.source.scriptUri or properties.source.commandId; got ${given.length === 0 ? 'none' : given.join(', ')}.`,
    );
  }
}

export const runCommands: ResourceProvider = {
  type: RUN_COMMAND_TYPE,
  // Estimate: a managed run command takes from a few seconds (agent ready, short script) to about a
  // minute (the RunCommand handler is installed on first use); see the README's latency table.
  latencyMs: { write: 20_000, delete: 10_000 },
  readOnly: ['instanceView'],
  poll: { write: 'location', delete: 'location' },
  stripReadOnly(props) {
    // Never returned and never saved: the store hands them to the execution record first.
    delete props.protectedParameters;
    delete props.runAsPassword;
  },
  prepare(_ctx, record, _existing, parent, _location) {
    const vm = parent;
    if (!vm || vm.type !== ArmTypes.vm) return undefined;
    if (vm.provisioningState !== 'Succeeded') {
      throw conflict(
        VM_NOT_RUNNING_CODE,
        `Cannot modify extensions in the VM when the VM is not running. Virtual machine '${vm.name}' is ${vm.provisioningState}.`,
      );
    }
    const props = asObject(record.body.properties) ?? {};
    checkSource(props, record.name);
    checkParameters(props.parameters, 'properties.parameters');
    const timeout = props.timeoutInSeconds;
    if (
      timeout !== undefined &&
      (typeof timeout !== 'number' ||
        !Number.isInteger(timeout) ||
        timeout < 0 ||
        timeout > MAX_TIMEOUT_SECONDS)
    ) {
      throw badRequest(
        'InvalidParameter',
        `properties.timeoutInSeconds must be an integer from 0 to ${MAX_TIMEOUT_SECONDS}; got ${JSON.stringify(timeout)}.`,
      );
    }
    if (props.asyncExecution !== undefined && typeof props.asyncExecution !== 'boolean') {
      throw badRequest('InvalidParameter', 'properties.asyncExecution must be a boolean.');
    }
    record.derived.startTime = new Date().toISOString();
    return undefined;
  },
};

/** Checks the protected parameters of a request body (they never reach `prepare`: stripped before). */
export function checkProtectedParameters(requestBody: JsonObject): void {
  checkParameters(asObject(requestBody.properties)?.protectedParameters, 'properties.protectedParameters');
}

/**
 * The instance view of a run command from its record and its last operation: running while the
 * operation runs; `Succeeded` with exit code 0 when it succeeded; `Failed` with exit code 1 and the
 * operation's error as the script's error stream when it failed.
 */
export function runCommandInstanceView(record: ResourceRecord, op: LroRecord | undefined): JsonObject {
  const startTime = asString(record.derived.startTime) ?? new Date(op?.startedAt ?? Date.now()).toISOString();
  const endTime = op?.endedAt !== undefined ? new Date(op.endedAt).toISOString() : undefined;
  const state = record.provisioningState;
  if (state === 'Creating' || state === 'Updating') {
    return { executionState: 'Running', executionMessage: '', startTime, statuses: [] };
  }
  if (state === 'Failed') {
    const message = op?.error?.message ?? 'The script failed.';
    return {
      executionState: 'Failed',
      executionMessage: `Execution failed: ${message}`,
      exitCode: 1,
      output: '',
      error: message,
      startTime,
      ...(endTime !== undefined ? { endTime } : {}),
      statuses: [],
    };
  }
  return {
    executionState: 'Succeeded',
    executionMessage: 'Execution completed',
    exitCode: 0,
    output: '',
    error: '',
    startTime,
    ...(endTime !== undefined ? { endTime } : {}),
    statuses: [],
  };
}
