import { runDeploy } from '../../../deploy/main';
import { DeployUsageError, parseDeployArgs } from '../../../deploy/options';
import { EVENT_GRID_FUNCTION, planDeployment, RUNTIME_REF } from '../../../deploy/plan';
import { BuiltInRoles } from '../../../deploy/roles';
import { ResourceTypes } from '../../../src/cluster/plan/types';

const SUBSCRIPTION = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const base = [
  '--subscription',
  SUBSCRIPTION,
  '--resource-group',
  'rg-prov',
  '--name',
  'acp-demo',
  '--location',
  'East US',
];

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return runDeploy(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} }).then((code) => ({
    code,
    out,
    err,
  }));
}

describe('npm run deploy options', () => {
  it.each([
    [['--resource-group', 'rg', '--name', 'app', '--location', 'eastus'], '--subscription is required'],
    [[...base.slice(0, 1), 'not-a-guid', ...base.slice(2)], '--subscription: must be a subscription id'],
    [[...base.slice(0, 4), '--name', 'Bad_Name', ...base.slice(6)], "--name: 'Bad_Name'"],
    [[...base, '--target-rg', 'bad/rg'], "--target-rg: 'bad/rg'"],
    [[...base, '--features', 'iaas,gpu'], '--features: unknown gpu'],
    [[...base, '--storage-account', 'Has-Hyphen'], "--storage-account: 'Has-Hyphen'"],
    [[...base, '--surprise'], "Unknown option '--surprise'"],
  ])('refuses %j naming the flag', (args, message) => {
    expect(() => parseDeployArgs(args)).toThrow(DeployUsageError);
    expect(() => parseDeployArgs(args)).toThrow(message);
  });

  it("normalizes the region and defaults the target group to the app's own", () => {
    const options = parseDeployArgs(base);
    expect(options).toMatchObject({
      location: 'eastus',
      targetResourceGroups: ['rg-prov'],
      features: ['iaas'],
    });
  });
});

describe('the deployment plan', () => {
  const plan = planDeployment(parseDeployArgs([...base, '--target-rg', 'rg-a,rg-b']));

  it('delivers resource events of every type the app owns, and node-scaling events, to its Event Grid function', () => {
    const subscriptions = plan.resources.filter((r) => r.type.endsWith('/eventSubscriptions'));
    expect(subscriptions.map((r) => r.resourceGroup).sort()).toEqual(['rg-a', 'rg-b', 'rg-prov']);
    for (const s of subscriptions) {
      const destination = (s.body['properties'] as { destination: { properties: { resourceId: string } } })
        .destination;
      expect(destination.properties.resourceId).toBe(
        `${plan.functionApp.id}/functions/${EVENT_GRID_FUNCTION}`,
      );
      expect(s.stage).toBe('afterPackage');
    }
    const system = subscriptions.find((s) => s.resourceGroup === 'rg-a')!;
    const filter = (
      system.body['properties'] as {
        filter: { advancedFilters: { operatorType: string; key: string; values: string[] }[] };
      }
    ).filter;
    const advanced = filter.advancedFilters[0]!;
    expect(advanced).toMatchObject({ operatorType: 'StringBeginsWith', key: 'data.operationName' });
    // Every write and delete of every type the app owns passes the filter; another provider's does not.
    const passes = (operation: string): boolean => advanced.values.some((p) => operation.startsWith(p));
    for (const type of Object.values(ResourceTypes)) {
      expect(passes(`${type}/write`)).toBe(true);
      expect(passes(`${type}/delete`)).toBe(true);
    }
    expect(passes('Microsoft.Storage/storageAccounts/write')).toBe(false);
    expect(filter.advancedFilters[0]!.values.length).toBeLessThanOrEqual(25);
  });

  it('keeps secrets out of the app settings: storage and telemetry through the identity', () => {
    const settings = plan.resources.find((r) => r.type === 'Microsoft.Web/sites/config')!.body[
      'properties'
    ] as Record<string, string>;
    expect(Object.keys(settings).filter((k) => /key|password|secret|AzureWebJobsStorage$/i.test(k))).toEqual(
      [],
    );
    expect(Object.values(settings).join(' ')).not.toMatch(
      /AccountKey=|SharedAccessSignature|InstrumentationKey=/,
    );
    expect(settings['AZURE_CLIENT_ID']).toMatch(RUNTIME_REF);
    // The app's principal, for its own Key Vault Secrets Officer assignment on cluster vaults.
    expect(settings['PROVISIONER_PRINCIPAL_ID']).toMatch(RUNTIME_REF);
    expect(settings['PROVISIONER_PRINCIPAL_ID']).toContain('principalId');
    expect(settings['ARM_CREDENTIAL']).toBe('default');
    expect(settings['AZURE_SUBSCRIPTION_ID']).toBe(SUBSCRIPTION);
  });

  it('gives the identity Network and VM Contributor on each target group and nothing that can grant roles by default', () => {
    const onTarget = plan.resources.filter(
      (r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.resourceGroup === 'rg-a',
    );
    const roles = onTarget.map((r) =>
      (r.body['properties'] as { roleDefinitionId: string }).roleDefinitionId.split('/').pop(),
    );
    expect(roles.sort()).toEqual(
      [BuiltInRoles.networkContributor, BuiltInRoles.virtualMachineContributor].sort(),
    );
  });

  it('gives what IaaS clusters with vaults need with --features iaas,keyvault: vaults, their secrets, node identities', () => {
    const withVaults = planDeployment(parseDeployArgs([...base, '--features', 'iaas,keyvault']));
    const roles = withVaults.resources
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.resourceGroup === 'rg-prov')
      .filter((r) => r.id.includes('/resourceGroups/rg-prov/providers/Microsoft.Authorization/'))
      .map((r) => (r.body['properties'] as { roleDefinitionId: string }).roleDefinitionId.split('/').pop());
    expect(roles.sort()).toEqual(
      [
        BuiltInRoles.networkContributor,
        BuiltInRoles.virtualMachineContributor,
        BuiltInRoles.keyVaultContributor,
        BuiltInRoles.keyVaultSecretsOfficer,
        BuiltInRoles.managedIdentityContributor,
        BuiltInRoles.managedIdentityOperator,
        BuiltInRoles.rbacAdministrator,
      ].sort(),
    );
  });

  it('grants role assignment writes only with a condition naming the roles the app hands out', () => {
    const all = planDeployment(parseDeployArgs([...base, '--features', 'aks,keyvault']));
    const admin = all.resources.find((r) =>
      (r.body['properties'] as { roleDefinitionId?: string } | undefined)?.roleDefinitionId?.endsWith(
        BuiltInRoles.rbacAdministrator,
      ),
    )!;
    const props = admin.body['properties'] as { condition: string; conditionVersion: string };
    expect(props.conditionVersion).toBe('2.0');
    expect(props.condition).toContain(
      `GuidEquals {${BuiltInRoles.keyVaultSecretsUser}, ${BuiltInRoles.networkContributor}}`,
    );
  });
});

describe('npm run deploy -- --dry-run', () => {
  it('prints every resource it would create, with its type and id, and creates nothing', async () => {
    const { code, out } = await run([...base, '--target-rg', 'rg-a', '--dry-run']);
    expect(code).toBe(0);
    const plan = planDeployment(parseDeployArgs([...base, '--target-rg', 'rg-a']));
    for (const r of plan.resources) expect(out).toContain(`${r.type}  ${r.id}`);
    expect(out).toContain('Dry run: nothing was created.');
  });

  it('answers bad usage with exit code 2 and the usage line', async () => {
    const { code, err } = await run(['--name', 'x']);
    expect(code).toBe(2);
    expect(err).toContain('usage: npm run deploy --');
  });
});
