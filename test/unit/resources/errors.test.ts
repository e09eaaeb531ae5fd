import { createHttpHeaders, RestError } from '@azure/core-rest-pipeline';

import {
  classifyArmError,
  ensureError,
  parseArmErrorMessage,
  retryAfterFromError,
  TerminalError,
  TransientError,
} from '../../../src/resources/errors';

const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v';

function restError(
  status: number,
  code: string | undefined,
  headers: Record<string, string> = {},
): RestError {
  const request = { url: 'https://127.0.0.1/x', method: 'PUT', headers: createHttpHeaders() };
  return new RestError(`${code ?? 'error'} happened`, {
    ...(code !== undefined ? { code } : {}),
    statusCode: status,
    response: {
      status,
      headers: createHttpHeaders(headers),
      request: request as never,
      bodyAsText: JSON.stringify({ error: { code, message: 'm' } }),
    },
  });
}

describe('classifyArmError', () => {
  it.each([
    [429, 'TooManyRequests', TransientError],
    [500, 'InternalServerError', TransientError],
    [502, undefined, TransientError],
    [503, 'ServiceUnavailable', TransientError],
    [504, 'GatewayTimeout', TransientError],
    [408, 'RequestTimeout', TransientError],
    [409, 'AnotherOperationInProgress', TransientError],
    [400, 'RetryableError', TransientError],
    [501, 'NotImplemented', TerminalError],
    [400, 'InvalidParameter', TerminalError],
    [400, 'InvalidTemplate', TerminalError],
    [403, 'AuthorizationFailed', TerminalError],
    [409, 'QuotaExceeded', TerminalError],
    [409, 'SkuNotAvailable', TerminalError],
    [409, 'ZonalAllocationFailed', TerminalError],
    [404, 'ResourceGroupNotFound', TerminalError],
  ] as const)('status %i code %s → %p', (status, code, kind) => {
    const c = classifyArmError(restError(status, code), id);
    expect(c).toBeInstanceOf(kind);
    expect(c.resourceId).toBe(id);
    expect(c.statusCode).toBe(status);
    expect(c.armCode).toBe(code ?? `Http${status}`);
  });

  it('treats dropped connections as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyArmError(reset, id)).toBeInstanceOf(TransientError);
    const wrapped = new RestError('request failed', { code: RestError.REQUEST_SEND_ERROR });
    expect(classifyArmError(wrapped, id)).toBeInstanceOf(TransientError);
  });

  it('parses the code out of a failed long-running operation', () => {
    const lro = new Error(
      'The long-running operation has failed. QuotaExceeded. Operation would exceed quota. Try another region.',
    );
    const c = classifyArmError(lro, id);
    expect(c).toBeInstanceOf(TerminalError);
    expect(c.armCode).toBe('QuotaExceeded');
    expect(c.armMessage).toBe('Operation would exceed quota. Try another region.');
    const busy = classifyArmError(
      new Error('The long-running operation has failed. AnotherOperationInProgress. busy'),
      id,
    );
    expect(busy).toBeInstanceOf(TransientError);
  });

  it('is terminal for unrecognised errors and passes classified ones through', () => {
    expect(classifyArmError(new TypeError('x is undefined'), id)).toBeInstanceOf(TerminalError);
    const t = new TransientError('X', 'y', id);
    expect(classifyArmError(t, 'other')).toBe(t);
  });

  it('puts code, resource and message in a parseable message, even when wrapped by the host', () => {
    const c = classifyArmError(restError(409, 'QuotaExceeded'), id);
    expect(c.message).toBe(`ARM error QuotaExceeded on ${id}: QuotaExceeded happened`);
    const wrapped = `Activity function 'applyResource' failed: "${c.message}". See the function execution logs for additional details.`;
    expect(parseArmErrorMessage(wrapped)).toEqual({
      code: 'QuotaExceeded',
      resource: id,
      message: 'QuotaExceeded happened',
    });
    expect(parseArmErrorMessage('something else')).toBeUndefined();
  });
});

describe('retryAfterFromError', () => {
  it('prefers x-ms-retry-after-ms, then retry-after-ms, then Retry-After seconds or date', () => {
    expect(
      retryAfterFromError(restError(429, 'T', { 'x-ms-retry-after-ms': '15', 'retry-after': '9' })),
    ).toBe(15);
    expect(retryAfterFromError(restError(429, 'T', { 'retry-after-ms': '25', 'retry-after': '9' }))).toBe(25);
    expect(retryAfterFromError(restError(429, 'T', { 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      retryAfterFromError(restError(429, 'T', { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now),
    ).toBe(3000);
    expect(retryAfterFromError(restError(429, 'T'))).toBeUndefined();
    expect(retryAfterFromError('nope')).toBeUndefined();
  });

  it('is carried on the TransientError', () => {
    const c = classifyArmError(restError(429, 'TooManyRequests', { 'retry-after-ms': '40' }), id);
    expect(c).toBeInstanceOf(TransientError);
    expect((c as TransientError).retryAfterMs).toBe(40);
  });
});

describe('ensureError', () => {
  it('keeps errors and wraps other values', () => {
    const e = new Error('x');
    expect(ensureError(e)).toBe(e);
    expect(ensureError('boom').message).toBe('boom');
    expect(ensureError({ a: 1 }).message).toBe('Non-error value thrown: {"a":1}');
  });
});
