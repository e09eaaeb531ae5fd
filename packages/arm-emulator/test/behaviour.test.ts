import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { RestError } from '@azure/core-rest-pipeline';

import { startArmEmulator } from '../src';
import { errorCode, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

const vnet = { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] } };

describe('ARM emulator behaviour', () => {
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    kit = undefined;
  });

  it('answers 401 without a bearer token, 400 without api-version, and serves its control routes without auth', async () => {
    kit = await startKit();
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}?api-version=2025-04-01`;
    const noAuth = await rawRequest(kit, 'GET', path, undefined, {});
    expect(noAuth.status).toBe(401);
    expect(noAuth.json).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    const noVersion = await rawRequest(kit, 'GET', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`);
    expect(noVersion.json).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const mixedCase = await rawRequest(
      kit,
      'GET',
      `/SUBSCRIPTIONS/${SUBSCRIPTION}/resourcegroups/RG-TEST?api-version=x`,
    );
    expect(mixedCase.status).toBe(200);
    expect((await rawRequest(kit, 'GET', '/_emulator/health', undefined, {})).json).toMatchObject({
      status: 'ok',
    });
    expect((await rawRequest(kit, 'GET', '/_emulator/resources', undefined, {})).json).toMatchObject({
      value: [{ name: RG, type: 'Microsoft.Resources/resourceGroups' }],
    });
    const ops = (await rawRequest(kit, 'GET', '/_emulator/operations', undefined, {})).json as {
      value: { status: number }[];
    };
    expect(ops.value.map((o) => o.status)).toEqual([401, 400, 200]);
    expect((await rawRequest(kit, 'PUT', '/_emulator/settings', { timeScale: 0.5 }, {})).json).toMatchObject({
      timeScale: 0.5,
    });
    expect((await rawRequest(kit, 'POST', '/_emulator/faults', { path: '[' }, {})).status).toBe(400);
    expect((await rawRequest(kit, 'POST', '/_emulator/reset', undefined, {})).status).toBe(204);
    expect(kit.emulator.operations()).toHaveLength(0);
  });

  it('a 429 with x-ms-retry-after-ms is retried by the SDK pipeline', async () => {
    kit = await startKit();
    kit.emulator.faults.add({
      method: 'PUT',
      path: '/virtualnetworks/v1$',
      count: 1,
      status: 429,
      code: 'TooManyRequests',
      message: 'Throttled',
      headers: { 'x-ms-retry-after-ms': '20', 'retry-after': '1' },
    });
    await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(RG, 'v1', vnet, kit.lro);
    const puts = kit.emulator.operations().filter((o) => o.method === 'PUT');
    expect(puts.map((o) => o.status)).toEqual([429, 201]);
    expect(puts[0]?.faultId).toBeDefined();
  });

  it('a delay fault slows the matching request and is then used up', async () => {
    kit = await startKit();
    kit.emulator.faults.add({ method: 'GET', path: '/resourcegroups/rg-test$', delayMs: 200 });
    await kit.clients.resources.resourceGroups.get(RG);
    await kit.clients.resources.resourceGroups.get(RG);
    const gets = kit.emulator.operations().filter((o) => o.method === 'GET');
    expect(gets[0]!.durationMs).toBeGreaterThanOrEqual(190);
    expect(gets[0]!.faultId).toBeDefined();
    expect(gets[1]!.faultId).toBeUndefined();
  });

  it('faults over HTTP: a status with an ARM code surfaces as RestError; DELETE clears them', async () => {
    kit = await startKit();
    const added = await rawRequest(
      kit,
      'POST',
      '/_emulator/faults',
      { method: 'GET', path: 'virtualNetworks/v2', status: 409, code: 'Conflict', count: 2 },
      {},
    );
    expect(added.status).toBe(201);
    await kit.clients.network.virtualNetworks
      .beginCreateOrUpdateAndWait(RG, 'v2', vnet, kit.lro)
      .catch(() => undefined);
    const err = await kit.clients.network.virtualNetworks.get(RG, 'v2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).statusCode).toBe(409);
    expect((await rawRequest(kit, 'DELETE', '/_emulator/faults', undefined, {})).status).toBe(204);
    expect((await kit.clients.network.virtualNetworks.get(RG, 'v2')).name).toBe('v2');
  });

  it('an injected LRO failure fails the operation (async-operation and Location pollers) and leaves the resource Failed', async () => {
    kit = await startKit();
    kit.emulator.faults.add({
      method: 'PUT',
      path: 'virtualNetworks/v3',
      lroFailure: { code: 'InternalServerError', message: 'boom' },
    });
    const err = await kit.clients.network.virtualNetworks
      .beginCreateOrUpdateAndWait(RG, 'v3', vnet, kit.lro)
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('The long-running operation has failed. InternalServerError. boom');
    expect((await kit.clients.network.virtualNetworks.get(RG, 'v3')).provisioningState).toBe('Failed');

    // Compute polls the Location URL; the failure arrives as a RestError with the code.
    await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'v3',
      { ...vnet, subnets: [{ name: 's', addressPrefix: '10.0.0.0/24' }] },
      kit.lro,
    );
    await kit.clients.network.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'nic',
      {
        location: LOCATION,
        ipConfigurations: [
          {
            name: 'ip',
            subnet: {
              id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/v3/subnets/s`,
            },
          },
        ],
      },
      kit.lro,
    );
    kit.emulator.faults.add({
      method: 'PUT',
      path: 'virtualMachines/vm1',
      lroFailure: { code: 'ZonalAllocationFailed', message: 'No capacity in zone 2' },
    });
    const vmBody = {
      location: LOCATION,
      zones: ['2'],
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      networkProfile: {
        networkInterfaces: [
          {
            id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/nic`,
          },
        ],
      },
    };
    expect(
      await errorCode(
        kit.clients.compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'vm1', vmBody, kit.lro),
      ),
    ).toBe('ZonalAllocationFailed');
    expect((await kit.clients.compute.virtualMachines.get(RG, 'vm1')).provisioningState).toBe('Failed');
    // A retry of the PUT succeeds.
    expect(
      (await kit.clients.compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'vm1', vmBody, kit.lro))
        .provisioningState,
    ).toBe('Succeeded');
  });

  it('delivers ResourceWriteSuccess / ResourceDeleteSuccess events to a loopback subscriber', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: unknown }[] = [];
    const subscriber = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        // The first delivery fails: the emulator retries.
        res.statusCode = received.length === 1 ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
    try {
      kit = await startKit();
      kit.emulator.addEventSubscriber(
        `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/api/events`,
      );
      await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(RG, 'v4', vnet, kit.lro);
      await kit.clients.network.virtualNetworks.beginDeleteAndWait(RG, 'v4', kit.lro);
      const deadline = Date.now() + 5_000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const events = received.map(
        (r) =>
          (
            r.body as {
              eventType: string;
              topic: string;
              metadataVersion: string;
              data: Record<string, string>;
            }[]
          )[0]!,
      );
      expect(received[0]?.headers['aeg-event-type']).toBe('Notification');
      expect(events.map((e) => e.eventType).sort()).toEqual([
        'Microsoft.Resources.ResourceDeleteSuccess',
        'Microsoft.Resources.ResourceWriteSuccess',
        'Microsoft.Resources.ResourceWriteSuccess',
      ]);
      const write = events[0]!;
      expect(write.topic).toBe(`/subscriptions/${SUBSCRIPTION}`);
      expect(write.metadataVersion).toBe('1');
      expect(write.data).toMatchObject({
        resourceUri: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/v4`,
        operationName: 'Microsoft.Network/virtualNetworks/write',
        status: 'Succeeded',
        subscriptionId: SUBSCRIPTION,
        resourceGroup: RG,
        resourceProvider: 'Microsoft.Network',
      });
    } finally {
      await kit?.close();
      kit = undefined;
      await new Promise((resolve) => subscriber.close(resolve));
    }
  });

  it('models latency per type and rejects concurrent writes with a retryable 409 AnotherOperationInProgress', async () => {
    kit = await startKit({
      timeScale: 1,
      latencyMs: {
        'microsoft.network/virtualnetworks': 300,
        'Microsoft.Network/virtualNetworks/subnets': 1000,
        'microsoft.network/networkinterfaces': 20,
      },
    });
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(RG, 'v5', vnet, kit.lro);
    const first = await net.subnets.beginCreateOrUpdate(
      RG,
      'v5',
      'a',
      { addressPrefix: '10.0.1.0/24' },
      kit.lro,
    );
    expect(first.getOperationState().status).toBe('running');
    expect((await net.subnets.get(RG, 'v5', 'a')).provisioningState).toBe('Creating');
    const err = await net.subnets
      .beginCreateOrUpdateAndWait(RG, 'v5', 'b', { addressPrefix: '10.0.2.0/24' }, kit.lro)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).statusCode).toBe(409);
    expect((err as RestError).code).toBe('AnotherOperationInProgress');
    const done = await first.pollUntilDone();
    expect(done.provisioningState).toBe('Succeeded');
    await net.subnets.beginCreateOrUpdateAndWait(RG, 'v5', 'b', { addressPrefix: '10.0.2.0/24' }, kit.lro);

    // The Location poller of a delete sees 202 until the latency has passed.
    const started = Date.now();
    await net.virtualNetworks.beginDeleteAndWait(RG, 'v5', kit.lro);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const polls = kit.emulator.operations().filter((o) => /operationResults/i.test(o.path));
    expect(polls.some((o) => o.status === 202)).toBe(true);
    expect(polls.at(-1)?.status).toBe(200);
  });

  it('persists its state to a file and loads it on restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emu-'));
    const stateFile = path.join(dir, 'state.json');
    try {
      kit = await startKit({ stateFile });
      const created = await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
        RG,
        'kept',
        { ...vnet, subnets: [{ name: 's', addressPrefix: '10.0.0.0/24' }] },
        kit.lro,
      );
      await kit.close();
      kit = undefined;
      expect(fs.existsSync(stateFile)).toBe(true);
      kit = await startKit({ stateFile, resourceGroups: [] });
      const again = await kit.clients.network.virtualNetworks.get(RG, 'kept');
      expect(again.resourceGuid).toBe(created.resourceGuid);
      expect(again.subnets?.map((s) => s.name)).toEqual(['s']);
    } finally {
      await kit?.close();
      kit = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses event subscribers off loopback', async () => {
    await expect(startArmEmulator({ eventSubscribers: ['http://example.com/hook'] })).rejects.toThrow(
      /loopback/,
    );
  });
});
