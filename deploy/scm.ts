/**
 * Uploading the app's package to a Flex Consumption app: the one-deploy endpoint of its SCM (Kudu)
 * site, `POST https://<scm host>/api/publish?RemoteBuild=false` with `Content-Type: application/zip`
 * and an Entra token for ARM (no publishing credentials), then `GET /api/deployments/latest` until
 * Kudu reports the deployment complete (status 4 succeeded, 3 failed). The app writes the package
 * to its deployment container with its identity. Against the ARM emulator the SCM site of
 * `<host>` is `<ARM endpoint>/_scm/<host>`.
 */
import { createHash } from 'node:crypto';
import * as https from 'node:https';

import type { TokenCredential } from '@azure/core-auth';

import { DEFAULT_ARM_ENDPOINT } from '../src/resources/clients';

export interface ScmSite {
  /** https://<scm host> on Azure. */
  baseUrl: string;
  credential: TokenCredential;
  scope: string;
  caCertPem?: string;
  pollIntervalMs: number;
  /** How long to wait for the deployment to complete. */
  timeoutMs: number;
  /**
   * Waits before re-sending an upload the app could not write to its deployment storage (a role
   * assignment on the account takes minutes to apply on a first deployment).
   */
  storageRetryDelaysMs: number[];
  onRetry?: (message: string) => void;
}

/** The SCM host of a site from its `hostNameSslStates` (Flex hosts carry a region suffix), else `<name>.scm.azurewebsites.net`. */
export function scmHostOf(site: Record<string, unknown>, name: string): string {
  const props = site['properties'] as
    { hostNameSslStates?: { name?: string; hostType?: string }[] } | undefined;
  const repo = props?.hostNameSslStates?.find((h) => h.hostType?.toLowerCase() === 'repository')?.name;
  return repo ?? `${name}.scm.azurewebsites.net`;
}

export function scmBaseUrl(armEndpoint: string, scmHost: string): string {
  return armEndpoint.replace(/\/+$/, '') === DEFAULT_ARM_ENDPOINT
    ? `https://${scmHost}`
    : `${armEndpoint.replace(/\/+$/, '')}/_scm/${scmHost}`;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Reply {
  status: number;
  text: string;
}

async function request(
  site: ScmSite,
  method: string,
  path: string,
  body?: Buffer,
  contentType?: string,
): Promise<Reply> {
  const token = await site.credential.getToken(site.scope);
  if (!token) throw new Error(`no token for ${site.scope}`);
  const url = new URL(`${site.baseUrl}${path}`);
  return new Promise<Reply>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${token.token}`,
          'cache-control': 'no-cache',
          ...(contentType ? { 'content-type': contentType } : {}),
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        ...(site.caCertPem !== undefined ? { ca: site.caCertPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorText(reply: Reply): string {
  try {
    const parsed = JSON.parse(reply.text) as {
      error?: { code?: string; message?: string };
      Message?: string;
    };
    if (parsed.error) return `${parsed.error.code ?? 'Error'}: ${parsed.error.message ?? ''}`;
    if (parsed.Message) return parsed.Message;
  } catch {
    // not JSON
  }
  return reply.text.slice(0, 500);
}

/** Uploads the zip and waits for Kudu to finish; returns the deployment id. */
export async function publishPackage(site: ScmSite, zip: Buffer): Promise<string> {
  let posted: Reply;
  for (let attempt = 0; ; attempt++) {
    posted = await request(
      site,
      'POST',
      '/api/publish?RemoteBuild=false&Deployer=cluster-provisioner',
      zip,
      'application/zip',
    );
    // The app writes the package with its identity: a new blob data role is not effective at once.
    const delay = site.storageRetryDelaysMs[attempt];
    if (posted.status !== 400 || !posted.text.includes('BlobUploadFailedException') || delay === undefined)
      break;
    site.onRetry?.(
      `the app cannot write to its deployment storage yet (${errorText(posted).slice(0, 120)}); retrying in ${Math.round(delay / 1000)} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  if (posted.status === 409)
    throw new Error('api/publish: 409 Conflict: another deployment is in progress; retry when it ends');
  if (posted.status !== 200 && posted.status !== 202)
    throw new Error(`api/publish: HTTP ${posted.status}: ${errorText(posted)}`);
  const id = posted.text.trim().replace(/^"|"$/g, '');
  const deadline = Date.now() + site.timeoutMs;
  for (;;) {
    const status = await request(site, 'GET', '/api/deployments/latest');
    if (status.status === 200) {
      const body = JSON.parse(status.text) as { status?: number; complete?: boolean; status_text?: string };
      if (body.status === 3) throw new Error(`the deployment failed: ${body.status_text ?? ''}`);
      if (body.status === 4 && body.complete !== false) return id;
    } else if (status.status !== 202 && status.status !== 404) {
      throw new Error(`api/deployments/latest: HTTP ${status.status}: ${errorText(status)}`);
    }
    if (Date.now() > deadline)
      throw new Error(`the deployment ${id} did not complete in ${Math.round(site.timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, site.pollIntervalMs));
  }
}
