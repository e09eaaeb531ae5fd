/**
 * The spec body of a request, read within the spec's size limit: `413` naming the limit (before
 * reading, when the client announced the size), `400` when the bytes are not UTF-8 text. Parsing
 * cost is bounded by the limit (see cluster/specLimits.ts).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { SPEC_LIMITS, specTooLargeMessage } from '../../cluster/specLimits';

export type SpecBody = { ok: true; text: string } | { ok: false; response: HttpResponseInit };

const refuse = (status: number, message: string): SpecBody => ({
  ok: false,
  response: {
    status,
    jsonBody: { errors: [{ path: '', message }] },
    headers: { 'content-type': 'application/json' },
  },
});

export async function readSpecBody(request: HttpRequest): Promise<SpecBody> {
  const announced = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(announced) && announced > SPEC_LIMITS.bytes) {
    return refuse(413, specTooLargeMessage(announced));
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > SPEC_LIMITS.bytes) return refuse(413, specTooLargeMessage(bytes.byteLength));
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return refuse(400, 'the spec is not valid UTF-8 text; save it as UTF-8');
  }
}
