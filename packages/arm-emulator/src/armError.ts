/**
 * An error answered the way ARM answers it: an HTTP status plus `{ error: { code, message } }`.
 * The SDKs turn that body into a `RestError` whose `code` is ours, so the code must be Azure's.
 */
export class ArmError extends Error {
  override readonly name = 'ArmError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** The property the error is about, which ARM reports as `error.target` (e.g. `zones`). */
    readonly target?: string,
    /** ARM's `error.details` (e.g. Compute's throttling policy that ran out). */
    readonly details?: readonly { code: string; message: string; target?: string }[],
  ) {
    super(message);
  }

  toBody(): {
    error: {
      code: string;
      message: string;
      target?: string;
      details?: { code: string; message: string; target?: string }[];
    };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.target !== undefined ? { target: this.target } : {}),
        ...(this.details !== undefined ? { details: this.details.map((d) => ({ ...d })) } : {}),
      },
    };
  }
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}

export function notFound(code: string, message: string): ArmError {
  return new ArmError(404, code, message);
}

export function conflict(code: string, message: string): ArmError {
  return new ArmError(409, code, message);
}

/**
 * What Compute answers a PUT that changes a VM setting fixed at creation: 409 Conflict,
 * `PropertyChangeNotAllowed`, "Changing property '<path>' is not allowed.", with the path as target.
 */
export function propertyChangeNotAllowed(property: string): ArmError {
  return new ArmError(
    409,
    'PropertyChangeNotAllowed',
    `Changing property '${property}' is not allowed.`,
    {},
    property,
  );
}
