/**
 * Each node role's custom data: valid for cloud-init (its own schema check, Debian's `cloud-init`
 * package, installed by .ci/run), kubeadm files that pass a strict v1beta4 schema (and
 * `kubeadm config validate` where kubeadm is installed), a boot script bash accepts, no secret in
 * it, and golden files (UPDATE_GOLDEN=1 rewrites them after a deliberate change).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse, parseAllDocuments } from 'yaml';

import {
  BOOT_SCRIPT_PATH,
  BOOTSTRAP_ENV_PATH,
  checkKubeadmDocument,
  clusterBootstrap,
  KUBEADM_TEMPLATE_PATH,
  type NodeRole,
  renderCloudConfig,
  renderCustomData,
} from '../../../../src/cluster/bootstrap';
import { MAX_CLOUD_INIT_BYTES } from '../../../../src/cluster/spec';
import { parseClusterSpec } from '../../../../src/cluster/validate';
import { iaasInput, SUBSCRIPTION_ID } from '../fixtures';

const ROLES: NodeRole[] = ['initControlPlane', 'joinControlPlane', 'worker'];
const GOLDEN_DIR = join(__dirname, 'golden');

function cluster(changes: Record<string, unknown> = {}) {
  const parsed = parseClusterSpec({ ...iaasInput(), ...changes });
  if (!parsed.ok || parsed.spec.type !== 'iaas') throw new Error(JSON.stringify(parsed));
  return clusterBootstrap(parsed.spec, SUBSCRIPTION_ID);
}

function render(role: NodeRole, changes: Record<string, unknown> = {}): string {
  return renderCloudConfig({
    cluster: cluster(changes),
    role,
    pool: role === 'worker' ? 'pool1' : 'controlPlane',
  });
}

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}
const filesOf = (cloudConfig: string): WriteFile[] =>
  (parse(cloudConfig) as { write_files: WriteFile[] }).write_files;
const fileOf = (cloudConfig: string, path: string): WriteFile => {
  const file = filesOf(cloudConfig).find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the cloud-config`);
  return file;
};

function cloudInitSchema(text: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cloud-config-'));
  try {
    const file = join(dir, 'user-data');
    writeFileSync(file, text);
    const run = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    if (run.error) {
      throw new Error(
        `cloud-init is needed for this test (apt-get install -y cloud-init; .ci/run installs it): ${run.error.message}`,
      );
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasKubeadm = spawnSync('kubeadm', ['version'], { encoding: 'utf8' }).status === 0;

describe.each(ROLES)('cloud-config of a %s node', (role) => {
  const text = render(role);

  it('starts with exactly #cloud-config and passes cloud-init’s own schema check', () => {
    expect(text.split('\n')[0]).toBe('#cloud-config');
    const result = cloudInitSchema(text);
    expect(result.output).toMatch(/Valid cloud-config/);
    expect(result.status).toBe(0);
  });

  it('matches its golden file', () => {
    const golden = join(GOLDEN_DIR, `${role}.cloud-config.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('holds kubeadm files that pass the strict v1beta4 schema, with the endpoint and version of the spec', () => {
    const template = fileOf(text, KUBEADM_TEMPLATE_PATH);
    expect(template.permissions).toBe('0600');
    const docs = parseAllDocuments(template.content).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.flatMap(checkKubeadmDocument)).toEqual([]);
    const kinds = docs.map((d) => d.kind);
    if (role === 'initControlPlane') {
      expect(kinds).toEqual(['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration']);
      expect(docs[1]).toMatchObject({
        kubernetesVersion: 'v1.33.2',
        controlPlaneEndpoint: expect.stringMatching(
          /^demo-[0-9a-f]{8}\.eastus\.cloudapp\.azure\.com:6443$/,
        ) as string,
      });
    } else {
      expect(kinds).toEqual(['JoinConfiguration']);
      expect(docs[0]).toMatchObject({
        discovery: { bootstrapToken: { apiServerEndpoint: cluster().endpoint.fqdn + ':6443' } },
      });
      expect('controlPlane' in (docs[0] ?? {})).toBe(role === 'joinControlPlane');
    }
  });

  (hasKubeadm ? it : it.skip)('kubeadm config validate accepts the kubeadm files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeadm-'));
    try {
      const file = join(dir, 'kubeadm.yaml');
      const content = fileOf(text, KUBEADM_TEMPLATE_PATH)
        .content.replaceAll('@BOOTSTRAP_TOKEN@', 'abcdef.0123456789abcdef')
        .replaceAll('@CA_CERT_HASH@', `sha256:${'0'.repeat(64)}`);
      writeFileSync(file, content);
      execFileSync('kubeadm', ['config', 'validate', '--config', file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries no secret: no private key, no bootstrap token, nothing but public settings', () => {
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    expect(text).toContain('@BOOTSTRAP_TOKEN@');
    const env = fileOf(text, BOOTSTRAP_ENV_PATH);
    expect(env.permissions).toBe('0600');
    for (const line of env.content.trimEnd().split('\n')) expect(line).toMatch(/^[A-Z0-9_]+='[^']*'$/);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_CLOUD_INIT_BYTES / 2);
  });

  it('reads from Key Vault only what its identity may: workers the join token, control-plane nodes the CAs too', () => {
    const env = fileOf(text, BOOTSTRAP_ENV_PATH).content;
    const c = cluster();
    const identity = role === 'worker' ? c.identities.worker : c.identities.controlPlane;
    expect(env).toContain(`IDENTITY_RESOURCE_ID='${encodeURIComponent(identity)}'`);
    expect(env.includes('PKI_FILES=')).toBe(role !== 'worker');
    expect(env.includes('CLOUD_IDENTITY_ID=')).toBe(role !== 'worker');
    expect(env).toContain(`VAULT_URI='${c.vaultUri}'`);
  });

  it('runs a boot script bash accepts, once, as root only', () => {
    const script = fileOf(text, BOOT_SCRIPT_PATH);
    expect(script.permissions).toBe('0700');
    expect((parse(text) as { runcmd: unknown }).runcmd).toEqual([[BOOT_SCRIPT_PATH]]);
    const check = spawnSync('bash', ['-n'], { input: script.content, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('embeds Python snippets python3 compiles', () => {
    const snippets = [...fileOf(text, BOOT_SCRIPT_PATH).content.matchAll(/<<'PY'[^\n]*\n([\s\S]*?)\nPY\n/g)];
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    for (const [, code] of snippets) {
      const run = spawnSync('python3', ['-c', `compile(${JSON.stringify(code)}, "snippet", "exec")`], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });
});

describe('versions and choices in the custom data', () => {
  it('pins the packages to the spec’s patch and holds them', () => {
    const env = fileOf(render('worker'), BOOTSTRAP_ENV_PATH).content;
    expect(env).toContain("K8S_REPO='https://pkgs.k8s.io/core:/stable:/v1.33/deb/'");
    expect(env).toContain("K8S_APT_VERSION='1.33.2-*'");
    expect(fileOf(render('worker'), BOOT_SCRIPT_PATH).content).toContain(
      'apt-mark hold kubelet kubeadm kubectl',
    );
  });

  it('with only a minor, installs the newest patch of that minor and tells kubeadm the installed version', () => {
    const text = render('initControlPlane', { kubernetesVersion: '1.32' });
    expect(fileOf(text, BOOTSTRAP_ENV_PATH).content).toContain("K8S_APT_VERSION=''");
    expect(fileOf(text, BOOTSTRAP_ENV_PATH).content).toContain('v1.32/deb/');
    expect(fileOf(text, KUBEADM_TEMPLATE_PATH).content).toContain(
      'kubernetesVersion: "@KUBERNETES_VERSION@"',
    );
  });

  it('installs the CNI the spec chooses, at its pinned version, from the first control-plane node', () => {
    const cilium = fileOf(
      render('initControlPlane', { network: { cni: 'cilium' } }),
      BOOTSTRAP_ENV_PATH,
    ).content;
    expect(cilium).toMatch(/^CNI='cilium'$/m);
    expect(cilium).toMatch(/^CNI_VERSION='1\.\d+\.\d+'$/m);
    expect(fileOf(render('initControlPlane'), BOOTSTRAP_ENV_PATH).content).toMatch(
      /^CNI_VERSION='v3\.\d+\.\d+'$/m,
    );
  });
});

describe('custom data with the spec’s own cloudInit', () => {
  it('is a multipart message: ours first, theirs appended to it', () => {
    const node = { cluster: cluster(), role: 'worker' as const, pool: 'pool1' };
    const data = renderCustomData(node, '#cloud-config\nruncmd:\n  - [touch, /tmp/mine]\n');
    expect(data.split('\n')[0]).toMatch(/^Content-Type: multipart\/mixed; boundary="/);
    const boundary = /boundary="([^"]+)"/.exec(data)?.[1] ?? '';
    const parts = data.split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toContain(renderCloudConfig(node));
    expect(parts[1]).toMatch(/Merge-Type: list\(append\)/);
    expect(parts[1]).toContain('[touch, /tmp/mine]');
  });

  it('refuses text cloud-init would not recognise', () => {
    const node = { cluster: cluster(), role: 'worker' as const, pool: 'pool1' };
    expect(() => renderCustomData(node, 'echo hi')).toThrow(/must start with "#cloud-config"/);
  });
});
