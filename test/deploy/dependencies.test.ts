// Each production package's runtime dependencies are exactly what its code imports: nothing that
// only tests, the emulator or the processor need rides along into the orchestrator's image, and
// nothing the code needs is missing from it. (ESLint checks the other direction per import.)
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../../dev/tools/binaries';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The packages a folder's code loads at run time: type-only imports are erased by the compiler. */
function runtimeImports(dir: string): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const [, typeOnly, specifier] of text.matchAll(
      /^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm,
    )) {
      if (typeOnly || !specifier || specifier.startsWith('.')) continue;
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0]!;
      if (!name.startsWith('node:') && !builtinModules.includes(name)) names.add(name);
    }
  }
  return [...names].sort();
}

function dependenciesOf(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, packageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {}).sort();
}

test.each([
  ['the orchestrator', '.', 'src'],
  ['the processor', 'packages/processor', 'packages/processor/src'],
])('%s depends at run time on exactly what its code imports', (_name, packageDir, sources) => {
  expect(dependenciesOf(packageDir)).toEqual(runtimeImports(path.join(PROJECT_ROOT, sources)));
});

test('none of the test, emulator or image libraries is a dependency of the orchestrator', () => {
  const orchestrator = dependenciesOf('.');
  for (const devOnly of [
    'sharp',
    '@temporalio/testing',
    '@wsi-orchestrator/local-ecs',
    '@wsi-orchestrator/processor',
    'tsx',
  ]) {
    expect(orchestrator).not.toContain(devOnly);
  }
});
