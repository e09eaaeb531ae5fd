import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { generate } from 'selfsigned';

/** The emulator's TLS key and self-signed certificate (which is also the CA clients trust). */
export interface TlsIdentity {
  key: string;
  cert: string;
}

/** A certificate with less than this left is replaced at start rather than expiring mid-run. */
const RENEW_BEFORE_MS = 24 * 3_600_000;

/** Where the key and certificate live beside a state file. */
export function tlsFilesFor(stateFile: string): { key: string; cert: string } {
  return { key: `${stateFile}.key.pem`, cert: `${stateFile}.cert.pem` };
}

async function createIdentity(): Promise<TlsIdentity> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** The stored identity when it is whole, matching and valid for at least another day. */
function readIdentity(files: { key: string; cert: string }, now: number): TlsIdentity | undefined {
  try {
    const identity = { key: fs.readFileSync(files.key, 'utf8'), cert: fs.readFileSync(files.cert, 'utf8') };
    const x509 = new X509Certificate(identity.cert);
    const fits = x509.checkPrivateKey(createPrivateKey(identity.key));
    const current = Date.parse(x509.validFrom) <= now && Date.parse(x509.validTo) - now > RENEW_BEFORE_MS;
    return fits && current ? identity : undefined;
  } catch {
    return undefined; // missing or unreadable: make a new one
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

/**
 * Without a state file, a certificate for this run alone. With one, the key and certificate kept
 * beside it are reused, so a restarted emulator is still trusted by clients (a running Functions
 * host) that were given its CA before; they are made anew only when missing, unreadable, not a
 * pair, or about to expire.
 */
export async function loadOrCreateTlsIdentity(stateFile: string | undefined): Promise<TlsIdentity> {
  if (stateFile === undefined) return createIdentity();
  const files = tlsFilesFor(stateFile);
  const stored = readIdentity(files, Date.now());
  if (stored) return stored;
  const identity = await createIdentity();
  fs.mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true });
  writeAtomically(files.key, identity.key, 0o600);
  writeAtomically(files.cert, identity.cert, 0o644);
  return identity;
}
