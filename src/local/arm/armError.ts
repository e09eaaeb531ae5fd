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
  ) {
    super(message);
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
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
