import { parseMainArgs } from '../src/main';

describe('ARM emulator command line', () => {
  it('reads flags, with environment fallbacks', () => {
    expect(
      parseMainArgs(
        [
          '--port',
          '0',
          '--time-scale',
          '0.05',
          '--seed-rg',
          'rg1:westeurope',
          '--seed-rg',
          'rg2:eastus',
          '--event-subscriber',
          'http://127.0.0.1:7071/hook',
        ],
        { EMULATOR_STATE_FILE: '.local/arm.json' },
      ),
    ).toEqual({
      port: 0,
      timeScale: 0.05,
      stateFile: '.local/arm.json',
      caFile: '.local/arm-emulator-ca.pem',
      seedGroups: [
        { name: 'rg1', location: 'westeurope' },
        { name: 'rg2', location: 'eastus' },
      ],
      subscribers: ['http://127.0.0.1:7071/hook'],
    });
    expect(parseMainArgs([], {}).port).toBe(7443);
    expect(parseMainArgs([], { EMULATOR_TIME_SCALE: '2' }).timeScale).toBe(2);
    expect(parseMainArgs(['--throttle'], {}).throttle).toBe(true);
    expect(parseMainArgs([], { EMULATOR_THROTTLE: 'Azure' }).throttle).toBe(true);
    expect(parseMainArgs([], { EMULATOR_THROTTLE: 'off' }).throttle).toBeUndefined();
  });

  it('reads the latency model, its seed and Compute limits, with environment fallbacks', () => {
    expect(
      parseMainArgs(['--latency-model', 'heavy-tail', '--seed', '42', '--compute-throttle', 'azure'], {}),
    ).toMatchObject({ latencyModel: 'heavy-tail', seed: 42, computeThrottle: 'azure' });
    expect(
      parseMainArgs([], {
        EMULATOR_LATENCY_MODEL: 'heavy-tail',
        EMULATOR_SEED: '7',
        EMULATOR_COMPUTE_THROTTLE: 'azure-legacy',
      }),
    ).toMatchObject({ latencyModel: 'heavy-tail', seed: 7, computeThrottle: 'azure-legacy' });
    // A flag wins over the environment; `off` turns Compute limits off.
    expect(
      parseMainArgs(['--compute-throttle', 'off'], { EMULATOR_COMPUTE_THROTTLE: 'azure' }).computeThrottle,
    ).toBeUndefined();
    const plain = parseMainArgs([], {});
    expect(plain.latencyModel).toBeUndefined();
    expect(plain.seed).toBeUndefined();
    expect(() => parseMainArgs(['--seed', '-3'], {})).toThrow(/--seed/);
    expect(() => parseMainArgs(['--latency-model', 'lumpy'], {})).toThrow(/--latency-model/);
    expect(() => parseMainArgs([], { EMULATOR_SEED: 'x' })).toThrow(/EMULATOR_SEED/);
    expect(() => parseMainArgs([], { EMULATOR_COMPUTE_THROTTLE: 'yes' })).toThrow(
      /EMULATOR_COMPUTE_THROTTLE/,
    );
  });

  it('rejects what it does not understand, naming the flag', () => {
    expect(() => parseMainArgs(['--seed-rg', 'nolocation'], {})).toThrow(/--seed-rg/);
    expect(() => parseMainArgs(['--time-scale', 'fast'], {})).toThrow(/--time-scale/);
    expect(() => parseMainArgs(['--bogus'], {})).toThrow(/--bogus/);
    expect(() => parseMainArgs(['--port'], {})).toThrow(/--port/);
    expect(() => parseMainArgs([], { EMULATOR_THROTTLE: 'yes' })).toThrow(/EMULATOR_THROTTLE/);
  });
});
