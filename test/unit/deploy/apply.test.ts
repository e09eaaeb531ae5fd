import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { differences } from '../../../deploy/compare';
import { runDeploy } from '../../../deploy/main';
import { writeZip } from '../../../scripts/package/zip';

describe('what the deploy compares before it writes', () => {
  const desired = {
    location: 'westeurope',
    tags: { app: 'acp' },
    identity: {
      type: 'UserAssigned',
      userAssignedIdentities: {
        '/subscriptions/s/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id':
          {},
      },
    },
    properties: { httpsOnly: true, siteConfig: { minTlsVersion: '1.2' }, values: ['a', 'b'] },
  };

  it('finds nothing to write when ARM holds the plan plus what it adds (ids in another case, defaults)', () => {
    const current = {
      id: '/x',
      location: 'West Europe',
      tags: { app: 'acp', other: 'kept' },
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: {
          '/subscriptions/s/resourcegroups/rg/providers/microsoft.managedidentity/userassignedidentities/id':
            {
              principalId: 'p',
            },
        },
      },
      properties: {
        httpsOnly: true,
        provisioningState: 'Succeeded',
        siteConfig: { minTlsVersion: '1.2', http20Enabled: false },
        values: ['a', 'b'],
      },
    };
    expect(differences(desired, current)).toEqual([]);
  });

  it('names each path that differs: a changed value, a missing field, a reordered or shorter list', () => {
    const current = {
      location: 'westeurope',
      tags: {},
      identity: { type: 'SystemAssigned' },
      properties: { httpsOnly: false, siteConfig: {}, values: ['b', 'a'] },
    };
    expect(differences(desired, current).sort()).toEqual(
      [
        'identity.type',
        'identity.userAssignedIdentities',
        'properties.httpsOnly',
        'properties.siteConfig.minTlsVersion',
        'properties.values',
        'tags.app',
      ].sort(),
    );
    expect(differences({ a: 'Value' }, { a: 'value' })).toEqual(['a']);
    expect(differences(desired, undefined)).toEqual(['(body)']);
  });
});

describe('the package npm run deploy uploads', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-unit-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const base = [
    '--subscription',
    '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    '--resource-group',
    'rg-prov',
    '--name',
    'acp-demo',
    '--location',
    'westeurope',
  ];

  async function run(entries: string[] | undefined): Promise<{ code: number; err: string }> {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.zip`);
    if (entries)
      writeZip(
        file,
        entries.map((name) => ({ name, data: Buffer.from('{}') })),
      );
    let err = '';
    // No ARM settings at all: the package is refused before any client is made.
    const code = await runDeploy([...base, '--package', file], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      env: {},
    });
    return { code, err };
  }

  it.each([
    [undefined, 'run `npm run package` first'],
    [['package.json', 'dist/src/index.js'], 'has no host.json at its root'],
    [['host.json', 'package.json', 'local.settings.json'], 'must not ship: local.settings.json'],
    [['host.json', 'package.json', 'test/unit/x.test.js'], 'must not ship: test/unit/x.test.js'],
    [['host.json', 'package.json', 'packages/arm-emulator/index.js'], 'must not ship: packages/'],
  ])('refuses %j naming --package, before anything is written', async (entries, message) => {
    const { code, err } = await run(entries);
    expect(code).toBe(2);
    expect(err).toContain('--package:');
    expect(err).toContain(message);
  });
});
