import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every app setting the code reads: `env.NAME`, `settings['NAME']`, … and quoted setting names of our prefixes. */
function settingsReadByTheCode(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\b(?:env|settings)\.([A-Z][A-Z0-9_]+)\b/g,
    /\b(?:env|settings)\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
    /['"`]((?:ARM|AZURE|EVENTGRID|EMULATOR|LOCAL)_[A-Z0-9_]+)['"`]/g,
  ];
  // The CLI (src/cli) is a client of the app, not part of it: its environment (PROVISIONER_URL, …) is no app setting.
  const cli = path.join(ROOT, 'src', 'cli') + path.sep;
  for (const file of sourceFiles(path.join(ROOT, 'src')).filter((f) => !f.startsWith(cli))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  }
  // Set by the host for the app (as Azure does), not by users.
  names.delete('WEBSITE_HOSTNAME');
  return names;
}

describe('app settings', () => {
  const read = settingsReadByTheCode();

  it('finds the settings the code reads', () => {
    expect(read).toContain('AZURE_SUBSCRIPTION_ID');
    expect(read).toContain('ARM_ENDPOINT');
  });

  it('lists every setting the app reads in local.settings.sample.json, and each is explained in the README', () => {
    const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'local.settings.sample.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const missingFromSample = [...read].filter((name) => !(name in sample.Values));
    const missingFromReadme = [...read].filter((name) => !readme.includes(`\`${name}\``));
    expect({ missingFromSample, missingFromReadme }).toEqual({
      missingFromSample: [],
      missingFromReadme: [],
    });
  });
});
