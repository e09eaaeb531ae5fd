/**
 * The secret material a new IaaS cluster starts from, made by the app (never by a node, never in
 * custom data, plan, status or durable history): the three kubeadm CAs (cluster, etcd, front-proxy),
 * the service-account signing key pair, and kubeadm bootstrap tokens. Only the activity that stores
 * them in the cluster's Key Vault calls this; what leaves it is public (the CA hash, secret ids).
 *
 * Keys are RSA 2048 (kubeadm's default algorithm), written as PKCS#1 "RSA PRIVATE KEY" PEM as kubeadm
 * itself writes them; CA certificates are self-signed, valid 10 years (kubeadm's CA lifetime), with
 * basicConstraints CA:TRUE and keyCertSign.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomInt,
  webcrypto,
} from 'node:crypto';

import * as x509 from '@peculiar/x509';

import { type VaultSecretName, VaultSecrets } from '../cluster/bootstrap/names';

const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const CA_YEARS = 10;
/** kubeadm's CA common names. */
const CA_NAMES = { cluster: 'kubernetes', etcd: 'etcd-ca', frontProxy: 'front-proxy-ca' } as const;

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

export interface ClusterPki {
  cluster: CaMaterial;
  etcd: CaMaterial;
  frontProxy: CaMaterial;
  serviceAccount: { privateKeyPem: string; publicKeyPem: string };
}

x509.cryptoProvider.set(webcrypto);

async function exportPkcs1(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs1', format: 'pem' })
    .toString();
}

async function selfSignedCa(commonName: string, now: Date): Promise<CaMaterial> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}`,
    // A little in the past: nodes whose clocks lag must not see a CA from the future.
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter,
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPkcs1(keys.privateKey) };
}

/** Three CAs and the service-account key pair, made concurrently. */
export async function generateClusterPki(now: Date = new Date()): Promise<ClusterPki> {
  const [cluster, etcd, frontProxy, sa] = await Promise.all([
    selfSignedCa(CA_NAMES.cluster, now),
    selfSignedCa(CA_NAMES.etcd, now),
    selfSignedCa(CA_NAMES.frontProxy, now),
    webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']),
  ]);
  const publicKeyPem = createPublicKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('spki', sa.publicKey)),
    format: 'der',
    type: 'spki',
  })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return {
    cluster,
    etcd,
    frontProxy,
    serviceAccount: { privateKeyPem: await exportPkcs1(sa.privateKey), publicKeyPem },
  };
}

/** kubeadm's `--discovery-token-ca-cert-hash`: sha256 of the CA certificate's SubjectPublicKeyInfo (DER). */
export function caCertHash(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** The Key Vault secrets of a cluster's PKI, by secret name. */
export function pkiSecrets(pki: ClusterPki): Record<Exclude<VaultSecretName, 'join-token'>, string> {
  return {
    [VaultSecrets.clusterCaCert]: pki.cluster.certPem,
    [VaultSecrets.clusterCaKey]: pki.cluster.keyPem,
    [VaultSecrets.etcdCaCert]: pki.etcd.certPem,
    [VaultSecrets.etcdCaKey]: pki.etcd.keyPem,
    [VaultSecrets.frontProxyCaCert]: pki.frontProxy.certPem,
    [VaultSecrets.frontProxyCaKey]: pki.frontProxy.keyPem,
    [VaultSecrets.serviceAccountKey]: pki.serviceAccount.privateKeyPem,
    [VaultSecrets.serviceAccountPub]: pki.serviceAccount.publicKeyPem,
  };
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number): string =>
  Array.from({ length }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');

/** A fresh kubeadm bootstrap token, `[a-z0-9]{6}.[a-z0-9]{16}` (cryptographically random). */
export function newBootstrapToken(): string {
  return `${randomText(6)}.${randomText(16)}`;
}
