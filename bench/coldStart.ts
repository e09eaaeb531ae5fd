/**
 * Cold start: what loading this app costs a fresh Functions worker process, measured in child
 * processes (a fresh module cache each), against the floor every Durable Functions app pays (loading
 * `@azure/functions` and `durable-functions` themselves).
 *
 * Prints the medians over N runs, their ratio, and whether any Azure management SDK was loaded at
 * start (it must not be: activities load the SDKs on first use).
 *
 * Usage: npm run bench:cold -- [--runs 7]
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface Sample {
  ms: number;
  armModules: number;
}

/** One fresh process: `floor` loads only the two Functions libraries, `app` the whole app through the local host's loader. */
function sample(kind: 'floor' | 'app'): Sample {
  const script =
    kind === 'floor'
      ? `const t=performance.now();require('@azure/functions');require('durable-functions');const ms=performance.now()-t;`
      : `const {loadFunctionsApp}=require('@azure-cluster-provisioner/functions-host');const t=performance.now();` +
        `loadFunctionsApp(${JSON.stringify(ROOT)}).then(()=>{const ms=performance.now()-t;`;
  const report =
    `const arm=Object.keys(require.cache).filter(k=>/node_modules[\\\\/]@azure[\\\\/]arm-/.test(k)).length;` +
    `process.stdout.write(JSON.stringify({ms,armModules:arm}));`;
  const code = kind === 'floor' ? script + report : `${script}${report}});`;
  const out = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function main(): void {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1');
  const floor: Sample[] = [];
  const app: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(sample('floor'));
    app.push(sample('app'));
  }
  const floorMs = median(floor.map((s) => s.ms));
  const appMs = median(app.map((s) => s.ms));
  const armLoaded = Math.max(...app.map((s) => s.armModules));
  console.log(`cold start over ${runs} fresh processes (medians)`);
  console.log(`  app load                         ${Math.round(appMs)} ms  (target < 300 ms)`);
  console.log(`  @azure/functions + durable alone ${Math.round(floorMs)} ms`);
  console.log(`  app / floor                      ${(appMs / floorMs).toFixed(2)}`);
  console.log(`  ARM SDK modules loaded at start  ${armLoaded}  (target 0: loaded on first activity)`);
}

main();
