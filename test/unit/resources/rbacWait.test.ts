import {
  isForbiddenByRbac,
  rbacWaitFromEnv,
  retryWhileRbacPropagates,
} from '../../../src/resources/clusterSecrets';
import { oidClaim, principalIdFromSettings } from '../../../src/resources/provisionerPrincipal';

/** Key Vault's refusal as @azure/keyvault-secrets throws it. */
const forbiddenByRbac = () =>
  Object.assign(new Error('Caller is not authorized'), {
    statusCode: 403,
    details: { error: { code: 'Forbidden', innerError: { code: 'ForbiddenByRbac' } } },
  });

describe("the provisioner's wait for its own Key Vault role", () => {
  it('retries ForbiddenByRbac with doubling delays until the write is accepted', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retryWhileRbacPropagates(
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(forbiddenByRbac()) : Promise.resolve('written');
      },
      { baseDelayMs: 10, maxWaitMs: 1000, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
    );
    expect(result).toBe('written');
    expect(delays).toEqual([10, 20, 40]);
  });

  it('gives up after the bounded wait, saying why and which setting raises it', async () => {
    const delays: number[] = [];
    await expect(
      retryWhileRbacPropagates(() => Promise.reject(forbiddenByRbac()), {
        baseDelayMs: 100,
        maxWaitMs: 250,
        sleep: (ms) => (delays.push(ms), Promise.resolve()),
      }),
    ).rejects.toThrow(/ForbiddenByRbac.*VAULT_RBAC_WAIT_SECONDS/);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(250);
  });

  it('throws any other error at once (a disabled secret is a 403 too, but not a missing role)', async () => {
    let calls = 0;
    const disabled = Object.assign(new Error('disabled'), {
      statusCode: 403,
      details: { error: { code: 'Forbidden', innerError: { code: 'SecretDisabled' } } },
    });
    await expect(
      retryWhileRbacPropagates(() => {
        calls += 1;
        return Promise.reject(disabled);
      }),
    ).rejects.toBe(disabled);
    expect(calls).toBe(1);
    expect(isForbiddenByRbac(forbiddenByRbac())).toBe(true);
    expect(isForbiddenByRbac({ statusCode: 404 })).toBe(false);
  });

  it('reads VAULT_RBAC_WAIT_SECONDS and names it when malformed', () => {
    expect(rbacWaitFromEnv({})).toBe(300_000);
    expect(rbacWaitFromEnv({ VAULT_RBAC_WAIT_SECONDS: '60' })).toBe(60_000);
    expect(() => rbacWaitFromEnv({ VAULT_RBAC_WAIT_SECONDS: 'soon' })).toThrow(/VAULT_RBAC_WAIT_SECONDS/);
  });
});

describe("the provisioner's principal", () => {
  const jwt = (claims: object) =>
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

  it('takes PROVISIONER_PRINCIPAL_ID, and refuses a malformed one naming the setting', () => {
    expect(
      principalIdFromSettings({ PROVISIONER_PRINCIPAL_ID: '0F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A0B' }),
    ).toBe('0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b');
    expect(principalIdFromSettings({})).toBeUndefined();
    expect(() => principalIdFromSettings({ PROVISIONER_PRINCIPAL_ID: 'me' })).toThrow(
      /PROVISIONER_PRINCIPAL_ID/,
    );
  });

  it("reads the oid claim of the app's token, and nothing from a token that is no JWT", () => {
    expect(oidClaim(jwt({ oid: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }))).toBe(
      '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
    );
    expect(oidClaim('arm-emulator-static-token')).toBeUndefined();
    expect(oidClaim(jwt({ sub: 'x' }))).toBeUndefined();
  });
});
