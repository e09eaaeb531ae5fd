/** The cluster's PKI is what kubeadm expects, checked with Node's own X.509 parser and openssl. */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

import { BOOTSTRAP_TOKEN_PATTERN } from '../../../src/cluster/bootstrap';
import {
  caCertHash,
  generateClusterPki,
  newBootstrapToken,
  pkiSecrets,
} from '../../../src/secrets/clusterPki';

describe('cluster PKI', () => {
  const now = new Date();
  const pki = generateClusterPki(now);

  it('makes three distinct self-signed CAs with kubeadm’s names, valid for ten years from now', async () => {
    const { cluster, etcd, frontProxy } = await pki;
    const certs = [cluster, etcd, frontProxy].map((ca) => new X509Certificate(ca.certPem));
    expect(certs.map((c) => c.subject)).toEqual(['CN=kubernetes', 'CN=etcd-ca', 'CN=front-proxy-ca']);
    for (const [index, cert] of certs.entries()) {
      expect(cert.ca).toBe(true);
      expect(cert.checkIssued(cert)).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
      const years = (new Date(cert.validTo).getTime() - now.getTime()) / (365.25 * 86_400_000);
      expect(Math.round(years)).toBe(10);
      const ca = [cluster, etcd, frontProxy][index]!;
      expect(ca.keyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    }
    expect(new Set(certs.map((c) => c.fingerprint256)).size).toBe(3);
  });

  it('makes a service-account key pair whose halves match', async () => {
    const { serviceAccount } = await pki;
    expect(serviceAccount.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const derived = createPublicKey(createPrivateKey(serviceAccount.privateKeyPem)).export({
      type: 'spki',
      format: 'pem',
    });
    expect(derived).toBe(serviceAccount.publicKeyPem);
  });

  it('hashes the CA as kubeadm’s documented openssl recipe does', async () => {
    const { cluster } = await pki;
    const pub = spawnSync('openssl', ['x509', '-pubkey', '-noout'], { input: cluster.certPem });
    const der = spawnSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub.stdout });
    const digest = spawnSync('sha256sum', [], { input: der.stdout, encoding: 'utf8' });
    expect(caCertHash(cluster.certPem)).toBe(`sha256:${digest.stdout.split(' ')[0]}`);
  });

  it('names every secret the control-plane nodes fetch', async () => {
    expect(Object.keys(pkiSecrets(await pki)).sort()).toEqual([
      'cluster-ca-crt',
      'cluster-ca-key',
      'etcd-ca-crt',
      'etcd-ca-key',
      'front-proxy-ca-crt',
      'front-proxy-ca-key',
      'sa-key',
      'sa-pub',
    ]);
  });

  it('mints bootstrap tokens in kubeadm’s format, never the same twice', () => {
    const tokens = Array.from({ length: 50 }, newBootstrapToken);
    for (const t of tokens) expect(t).toMatch(BOOTSTRAP_TOKEN_PATTERN);
    expect(new Set(tokens).size).toBe(50);
  });
});
