import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { HostKeysError, loadHostKeys } from '../../src/hostKeys';

describe('host keys file', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-keys-'));
    file = path.join(dir, 'state', 'keys.json');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const readFile = (): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

  it('creates distinct system keys on first start (mode 0600) and keeps them', () => {
    const first = loadHostKeys(file);
    const { durabletask_extension: durable, eventgrid_extension: eventGrid } = first.systemKeys;
    const all = [first.masterKey, first.functionKeys.default, durable, eventGrid];
    expect(new Set(all).size).toBe(4);
    for (const key of all) expect(key).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadHostKeys(file)).toEqual(first);
  });

  it('adds system keys to a file written before they existed, keeping everything else', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ masterKey: 'm-key', functionKeys: { default: 'f-key' } }));
    const keys = loadHostKeys(file);
    expect(keys.masterKey).toBe('m-key');
    expect(keys.functionKeys).toEqual({ default: 'f-key' });
    expect(readFile()).toEqual({
      masterKey: 'm-key',
      functionKeys: { default: 'f-key' },
      systemKeys: keys.systemKeys,
    });
    expect(loadHostKeys(file).systemKeys).toEqual(keys.systemKeys);
  });

  it('completes a file with only some system keys', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ masterKey: 'm', systemKeys: { durabletask_extension: 'd-key' } }),
    );
    const keys = loadHostKeys(file);
    expect(keys.systemKeys.durabletask_extension).toBe('d-key');
    expect(keys.systemKeys.eventgrid_extension).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(readFile().systemKeys).toEqual(keys.systemKeys);
  });

  it('lets settings override the system keys without writing them', () => {
    const stored = loadHostKeys(file);
    const keys = loadHostKeys(file, {
      LOCAL_HOST_DURABLE_KEY: 'durable-s',
      LOCAL_HOST_EVENTGRID_KEY: 'eg-s',
    });
    expect(keys.systemKeys).toEqual({ durabletask_extension: 'durable-s', eventgrid_extension: 'eg-s' });
    expect(readFile().systemKeys).toEqual(stored.systemKeys);
  });

  it('rejects a system key that is not a non-empty string, naming it', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ masterKey: 'm', systemKeys: { eventgrid_extension: 3 } }));
    expect(() => loadHostKeys(file)).toThrow(HostKeysError);
    expect(() => loadHostKeys(file)).toThrow(/systemKeys\.eventgrid_extension must be a non-empty string/);
  });
});
