import { execFileSync } from 'node:child_process';

import {
  DEFAULT_JOIN_TOKEN_TTL_MINUTES,
  JOIN_TOKEN_SCRIPT,
  joinTokenTtlMinutes,
  TOKEN_PARAMETER,
} from '../../../../src/cluster/bootstrap/joinTokenCommand';
import { planCluster } from '../../../../src/cluster/plan';
import type { Plan } from '../../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../../src/cluster/validate';
import { joinTokenRequestFor } from '../../../../src/functions/shared/joinTokenRequest';
import { iaasInput, SUBSCRIPTION_ID } from '../fixtures';

function plan(): Plan {
  const parsed = parseClusterSpec(iaasInput());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: SUBSCRIPTION_ID });
}

describe('the run command that registers a join token for nodes added later', () => {
  it('is a valid shell script that reads the token from its protected parameter and never holds one', () => {
    expect(() => execFileSync('sh', ['-n'], { input: JOIN_TOKEN_SCRIPT })).not.toThrow();
    expect(JOIN_TOKEN_SCRIPT).toContain(`kubeadm token create "$${TOKEN_PARAMETER}"`);
    expect(JOIN_TOKEN_SCRIPT).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    expect(JOIN_TOKEN_SCRIPT).not.toMatch(/set -x/);
    // kubeadm prints the token it created: that output goes nowhere.
    expect(JOIN_TOKEN_SCRIPT).toMatch(/kubeadm token create [^\n]*>\/dev\/null/);
  });

  it('refuses a missing or malformed token without running kubeadm', () => {
    const run = (env: Record<string, string>): number => {
      try {
        execFileSync('/bin/sh', ['-c', JOIN_TOKEN_SCRIPT], {
          env: { PATH: '/nonexistent', ...env },
          stdio: 'pipe',
        });
        return 0;
      } catch (err) {
        return (err as { status?: number }).status ?? -1;
      }
    };
    expect(run({})).toBe(2);
    expect(run({ [TOKEN_PARAMETER]: 'short' })).toBe(2);
  });

  it('takes its TTL from JOIN_TOKEN_TTL_MINUTES (default 60), refusing values outside 45..1440 by name', () => {
    expect(joinTokenTtlMinutes({})).toBe(DEFAULT_JOIN_TOKEN_TTL_MINUTES);
    expect(joinTokenTtlMinutes({ JOIN_TOKEN_TTL_MINUTES: '90' })).toBe(90);
    expect(() => joinTokenTtlMinutes({ JOIN_TOKEN_TTL_MINUTES: '10' })).toThrow(/JOIN_TOKEN_TTL_MINUTES/);
    expect(() => joinTokenTtlMinutes({ JOIN_TOKEN_TTL_MINUTES: 'soon' })).toThrow(/JOIN_TOKEN_TTL_MINUTES/);
  });
});

describe('when provisioning mints a fresh join token', () => {
  const p = plan();
  const all = p.resources.filter((r) => r.owned).map((r) => r.id);
  const vms = p.resources.filter((r) => r.role === 'workerVm');

  it('never on the first create (kubeadm init registers the first token)', () => {
    expect(joinTokenRequestFor('demo', p.resources, undefined)).toBeUndefined();
    expect(joinTokenRequestFor('demo', p.resources, [])).toBeUndefined();
  });

  it('asks the activity, with every VM of the plan and the existing control plane, for a running cluster', () => {
    const added = vms[vms.length - 1];
    const existing = all.filter((id) => id !== added?.id);
    const request = joinTokenRequestFor('demo', p.resources, existing);
    expect(request?.vmIds).toEqual(
      p.resources.filter((r) => r.role === 'controlPlaneVm' || r.role === 'workerVm').map((r) => r.id),
    );
    expect(request?.vmIds).toContain(added?.id);
    expect(request?.vaultId).toBe(p.resources.find((r) => r.role === 'clusterVault')?.id);
    expect(request?.controlPlaneVmIds).toEqual(
      p.resources.filter((r) => r.role === 'controlPlaneVm').map((r) => r.id),
    );
  });

  it('never when no control-plane VM existed before', () => {
    const existing = all.filter((id) => !p.resources.some((r) => r.id === id && r.role === 'controlPlaneVm'));
    expect(joinTokenRequestFor('demo', p.resources, existing)).toBeUndefined();
  });
});
