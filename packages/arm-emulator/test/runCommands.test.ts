import { errorCode, id, type Kit, LOCATION, rawRequest, RG, startKit } from './armTestKit';

const RUN_COMMAND = 'Microsoft.Compute/virtualMachines/runCommands';

describe('ARM emulator: VM run commands through ComputeManagementClient', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit();
    const net = kit.clients.network;
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
      },
      kit.lro,
    );
    await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      'nic-a',
      {
        location: LOCATION,
        ipConfigurations: [
          { name: 'ip', subnet: { id: id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes') } },
        ],
      },
      kit.lro,
    );
    await kit.clients.compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      'cp-0',
      {
        location: LOCATION,
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        osProfile: { computerName: 'cp-0', adminUsername: 'azureuser' },
        storageProfile: {
          imageReference: {
            publisher: 'Canonical',
            offer: 'ubuntu-24_04-lts',
            sku: 'server',
            version: 'latest',
          },
        },
        networkProfile: { networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', 'nic-a') }] },
      },
      kit.lro,
    );
  });
  afterEach(async () => {
    await kit.close();
  });

  const command = {
    location: LOCATION,
    source: { script: 'kubeadm token create "$TOKEN" --ttl 1h' },
    parameters: [{ name: 'TTL', value: '1h' }],
    protectedParameters: [{ name: 'TOKEN', value: 'abcdef.0123456789abcdef' }],
    timeoutInSeconds: 300,
    runAsUser: 'root',
    runAsPassword: 'not-returned',
  };

  it('runs a command (LRO), never returns its protected parameters, and shows tests the execution', async () => {
    const runs = kit.clients.compute.virtualMachineRunCommands;
    const created = await runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'join', command, kit.lro);
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.type).toBe(RUN_COMMAND);
    expect(created.source?.script).toBe(command.source.script);
    expect(created.parameters).toEqual(command.parameters);
    expect(created.timeoutInSeconds).toBe(300);
    expect(created.protectedParameters).toBeUndefined();
    expect(created.runAsPassword).toBeUndefined();

    const got = await runs.getByVirtualMachine(RG, 'cp-0', 'join');
    expect(got.instanceView).toBeUndefined();
    const expanded = await runs.getByVirtualMachine(RG, 'cp-0', 'join', { expand: 'instanceView' });
    expect(expanded.instanceView).toMatchObject({ executionState: 'Succeeded', exitCode: 0 });
    expect(expanded.instanceView?.startTime).toBeInstanceOf(Date);
    expect(expanded.instanceView?.endTime?.getTime()).toBeGreaterThanOrEqual(
      expanded.instanceView?.startTime?.getTime() ?? Infinity,
    );
    const listed = [];
    for await (const r of runs.listByVirtualMachine(RG, 'cp-0', { expand: 'instanceView' })) listed.push(r);
    expect(listed.map((r) => [r.name, r.instanceView?.executionState])).toEqual([['join', 'Succeeded']]);

    // Nothing ARM returns, and nothing the state holds, carries the protected value.
    const raw = await rawRequest(
      kit,
      'GET',
      `${id(RUN_COMMAND, 'cp-0', 'join')}?api-version=2024-07-01&$expand=instanceView`,
    );
    expect(JSON.stringify(raw.json)).not.toContain('abcdef.0123456789abcdef');
    expect(JSON.stringify(kit.emulator.resources())).not.toContain('abcdef.0123456789abcdef');
    expect(JSON.stringify(kit.emulator.resources())).not.toContain('not-returned');

    const executions = kit.emulator.runCommandExecutions();
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({
      name: 'join',
      vmId: id('Microsoft.Compute/virtualMachines', 'cp-0'),
      source: { script: command.source.script },
      parameters: command.parameters,
      protectedParameters: command.protectedParameters,
      timeoutInSeconds: 300,
      runAsUser: 'root',
      asyncExecution: false,
    });
    const control = await rawRequest(kit, 'GET', '/_emulator/run-command-executions');
    expect(control.json).toEqual({ value: executions });

    // A PUT again runs it again: a second execution.
    await runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'join', command, kit.lro);
    expect(kit.emulator.runCommandExecutions()).toHaveLength(2);

    await runs.beginDeleteAndWait(RG, 'cp-0', 'join', kit.lro);
    expect(await errorCode(runs.getByVirtualMachine(RG, 'cp-0', 'join'))).toBe('ResourceNotFound');
  });

  it('answers 404 for a missing VM and refuses a VM that is not running', async () => {
    const runs = kit.clients.compute.virtualMachineRunCommands;
    expect(await errorCode(runs.beginCreateOrUpdateAndWait(RG, 'nope', 'join', command, kit.lro))).toBe(
      'ResourceNotFound',
    );
    // A VM whose last operation failed is not running.
    kit.emulator.faults.add({
      method: 'PATCH',
      path: '/virtualMachines/cp-0$',
      lroFailure: { code: 'OSProvisioningTimedOut', message: 'OS provisioning did not finish in time.' },
    });
    await errorCode(
      kit.clients.compute.virtualMachines.beginUpdateAndWait(RG, 'cp-0', { tags: { a: 'b' } }, kit.lro),
    );
    expect((await kit.clients.compute.virtualMachines.get(RG, 'cp-0')).provisioningState).toBe('Failed');
    expect(await errorCode(runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'join', command, kit.lro))).toBe(
      'OperationNotAllowed',
    );
    expect(kit.emulator.runCommandExecutions()).toHaveLength(0);
  });

  it('validates the body, naming the field, and reports a failed run in the instance view', async () => {
    const runs = kit.clients.compute.virtualMachineRunCommands;
    expect(
      await errorCode(
        runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'bad', { location: LOCATION, source: {} }, kit.lro),
      ),
    ).toBe('InvalidParameter');
    expect(
      await errorCode(
        runs.beginCreateOrUpdateAndWait(
          RG,
          'cp-0',
          'bad',
          { ...command, protectedParameters: [{ name: '', value: 'x' }] },
          kit.lro,
        ),
      ),
    ).toBe('InvalidParameter');
    expect(
      await errorCode(
        runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'bad', { ...command, timeoutInSeconds: -1 }, kit.lro),
      ),
    ).toBe('InvalidParameter');
    expect(kit.emulator.runCommandExecutions()).toHaveLength(0);

    // Faults apply as to any type: the operation ends Failed with the injected error.
    kit.emulator.faults.add({
      method: 'PUT',
      path: '/runCommands/join$',
      lroFailure: { code: 'VMExtensionProvisioningError', message: 'exit status 1' },
    });
    expect(await errorCode(runs.beginCreateOrUpdateAndWait(RG, 'cp-0', 'join', command, kit.lro))).toBe(
      'VMExtensionProvisioningError',
    );
    const failed = await runs.getByVirtualMachine(RG, 'cp-0', 'join', { expand: 'instanceView' });
    expect(failed.provisioningState).toBe('Failed');
    expect(failed.instanceView).toMatchObject({
      executionState: 'Failed',
      exitCode: 1,
      error: 'exit status 1',
    });

    // The VM's delete takes its run commands with it.
    await kit.clients.compute.virtualMachines.beginDeleteAndWait(RG, 'cp-0', kit.lro);
    expect(
      JSON.stringify(kit.emulator.resources().filter((r) => JSON.stringify(r).includes('runCommands'))),
    ).toBe('[]');
  });

  it('takes a run command latency from the latency model', async () => {
    kit.emulator.setTimeScale(0.001);
    await kit.clients.compute.virtualMachineRunCommands.beginCreateOrUpdateAndWait(
      RG,
      'cp-0',
      'join',
      command,
      kit.lro,
    );
    const draw = kit.emulator.latencies().find((d) => d.type === RUN_COMMAND && d.kind === 'write');
    expect(draw?.baseMs).toBe(20_000);
  });
});
