import * as fs from 'node:fs';
import * as path from 'node:path';

describe('project layout', () => {
  it('points main at the compiled function modules as Azure Functions expects', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
      main: string;
    };
    expect(pkg.main).toBe('dist/src/{index.js,functions/*.js}');
  });
});
