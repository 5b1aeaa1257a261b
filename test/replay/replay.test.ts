// Safe deploys: histories recorded from real runs (dev/scripts/record-histories.ts) replay against
// the current workflow code. A change that alters the commands a running slide or budget
// would issue fails here, before it reaches a worker that serves old runs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFromPlainJson } from '../../dev/temporal/history-json';

const DIR = path.join(__dirname, 'histories');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

interface Recorded {
  workflowId: string;
  history: unknown;
}

describe('recorded histories replay against the current workflow code', () => {
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (m) => console.error(m),
      },
    });
  });

  test('every kind of run is recorded: success, OOM, interruption, capacity wait, cancel, budget', () => {
    for (const kind of [
      'success',
      'oom-relaunch',
      'interruption-resume',
      'capacity-wait',
      'cancel',
      'cluster-budget',
    ]) {
      expect(FILES.some((f) => f.endsWith(`-${kind}.json`))).toBe(true);
    }
  });

  test.each(FILES)('%s replays without non-determinism', async (file) => {
    const recorded = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Recorded;
    await Worker.runReplayHistory(
      { workflowBundle: bundle, replayName: file },
      historyFromPlainJson(recorded.history),
      recorded.workflowId,
    );
  });
});
