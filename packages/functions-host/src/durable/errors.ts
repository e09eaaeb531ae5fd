/** Errors the durable engine reports to callers of its management API. */

export class DurableEngineError extends Error {
  constructor(
    message: string,
    /** The HTTP status the management API answers with. */
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownFunctionError extends DurableEngineError {
  constructor(functionName: string, expected: string) {
    super(`Function '${functionName}' does not exist or is not ${expected} function`, 400);
  }
}

export class InstanceNotFoundError extends DurableEngineError {
  constructor(instanceId: string) {
    super(`No instance with ID '${instanceId}' found.`, 404);
  }
}

export class InstanceExistsError extends DurableEngineError {
  constructor(instanceId: string, status: string) {
    super(`An orchestration instance with ID '${instanceId}' already exists and is ${status}.`, 409);
  }
}

export class InstanceGoneError extends DurableEngineError {
  constructor(instanceId: string, status: string) {
    super(`The orchestration instance '${instanceId}' is ${status}; it accepts no more requests.`, 410);
  }
}

export class InstanceNotFailedError extends DurableEngineError {
  constructor(instanceId: string, status: string) {
    super(
      `The orchestration instance '${instanceId}' is ${status}; only failed instances can be rewound.`,
      412,
    );
  }
}

export class NonDeterminismError extends Error {
  constructor(message: string) {
    super(`Non-deterministic workflow detected: ${message}`);
    this.name = 'NonDeterminismError';
  }
}
