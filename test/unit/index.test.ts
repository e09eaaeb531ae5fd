import * as fs from 'node:fs';
import * as path from 'node:path';

import { expandMainGlob } from '@azure-cluster-provisioner/functions-host';

const ROOT = path.join(__dirname, '../..');

describe('package.json main', () => {
  // Azure Functions loads only what `main` names: a function file it misses is silently not deployed.
  it('names the compiled app setup and every function module, and nothing else', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    const loaded = expandMainGlob(ROOT, pkg.main).map((f) =>
      path.relative(ROOT, f).split(path.sep).join('/'),
    );
    const sources = fs
      .readdirSync(path.join(ROOT, 'src/functions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `dist/src/functions/${f.replace(/\.ts$/, '.js')}`);
    expect(loaded.sort()).toEqual(['dist/src/index.js', ...sources].sort());
  });
});
