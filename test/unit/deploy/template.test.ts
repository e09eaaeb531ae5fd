import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseDeployArgs } from '../../../deploy/options';
import { type DeployResource, planDeployment } from '../../../deploy/plan';
import { evaluateTemplate, type TemplateResource } from './armTemplate';

const template = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../infra/main.json'), 'utf8'),
) as Parameters<typeof evaluateTemplate>[0];

const SUBSCRIPTION = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';

/**
 * Role assignments are compared by what they grant (scope, role, principal, condition), not by name:
 * the template names them with ARM's guid(), the command with its own stable GUID, and the command
 * treats an existing assignment of the same role to the same principal as present whatever its name.
 */
function key(r: { id: string; type: string }): string {
  if (r.type !== ROLE_ASSIGNMENT) return r.id.toLowerCase();
  const scope = r.id.slice(
    0,
    r.id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/roleassignments/'),
  );
  return `${scope.toLowerCase()} grants`;
}

function roleKey(r: { id: string; type: string; body: Record<string, unknown> }): string {
  const props = r.body['properties'] as { roleDefinitionId: string; principalId: string };
  return `${key(r)} ${props.roleDefinitionId} to ${props.principalId}`;
}

function byKey<T extends { id: string; type: string; body: Record<string, unknown> }>(
  rs: T[],
): Map<string, T> {
  const map = new Map<string, T>();
  for (const r of rs) {
    const k = r.type === ROLE_ASSIGNMENT ? roleKey(r) : key(r);
    expect(map.has(k)).toBe(false);
    map.set(k, r);
  }
  return map;
}

function compare(
  args: string[],
  parameters: Record<string, unknown>,
): {
  plan: DeployResource[];
  deployed: TemplateResource[];
} {
  const options = parseDeployArgs(args);
  const plan = planDeployment(options).resources.filter(
    (r) => r.type !== 'Microsoft.Resources/resourceGroups',
  );
  const deployed = evaluateTemplate(template, {
    subscriptionId: SUBSCRIPTION,
    resourceGroup: options.resourceGroup,
    location: options.location,
    parameters,
  });
  const planned = byKey(plan);
  const templated = byKey(deployed);
  expect([...templated.keys()].sort()).toEqual([...planned.keys()].sort());
  for (const [k, p] of planned) {
    const t = templated.get(k)!;
    expect({ k, type: t.type, apiVersion: t.apiVersion, group: t.resourceGroup, body: t.body }).toEqual({
      k,
      type: p.type,
      apiVersion: p.apiVersion,
      group: p.resourceGroup,
      body: p.body,
    });
  }
  return { plan, deployed };
}

const base = [
  '--subscription',
  SUBSCRIPTION,
  '--resource-group',
  'rg-prov',
  '--name',
  'acp-demo',
  '--location',
  'westeurope',
];

describe('infra/main.json describes what npm run deploy creates', () => {
  it("by default: the app, and the IaaS roles plus resource events on the app's own group", () => {
    const { plan } = compare(base, { name: 'acp-demo' });
    expect(plan.filter((r) => r.type === ROLE_ASSIGNMENT && r.resourceGroup === 'rg-prov')).toHaveLength(6);
  });

  it('with two target groups and every feature (AKS, Key Vault, policy: the conditioned RBAC Administrator)', () => {
    const { deployed } = compare(
      [...base, '--target-rg', 'rg-a', '--target-rg', 'rg-b', '--features', 'iaas,aks,keyvault,policy'],
      {
        name: 'acp-demo',
        targetResourceGroups: ['rg-a', 'rg-b'],
        features: ['iaas', 'aks', 'keyvault', 'policy'],
      },
    );
    const conditioned = deployed.filter(
      (r) =>
        r.type === ROLE_ASSIGNMENT &&
        (r.body['properties'] as Record<string, unknown>)['condition'] !== undefined,
    );
    expect(conditioned.map((r) => r.resourceGroup).sort()).toEqual(['rg-a', 'rg-b']);
  });

  it('with AKS alone and a storage account name of its own', () => {
    compare([...base, '--target-rg', 'rg-aks', '--features', 'aks', '--storage-account', 'acpstate01'], {
      name: 'acp-demo',
      targetResourceGroups: ['rg-aks'],
      features: ['aks'],
      storageAccountName: 'acpstate01',
    });
  });

  it('leaves the Event Grid subscriptions out when asked (before the package is published)', () => {
    const deployed = evaluateTemplate(template, {
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-prov',
      location: 'westeurope',
      parameters: { name: 'acp-demo', deployEventSubscriptions: false },
    });
    expect(deployed.filter((r) => r.type.endsWith('/eventSubscriptions'))).toEqual([]);
    expect(deployed.filter((r) => r.type === 'Microsoft.EventGrid/systemTopics')).toHaveLength(1);
  });
});
