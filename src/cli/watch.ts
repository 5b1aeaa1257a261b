// `slides watch`: one live progress bar per slide in flight, with phase and tier, then a
// summary. Polls the `status` query; the bars are cli-progress's.
import type { Client } from '@temporalio/client';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { EXIT } from './exit';
import { formatCost, readSlideState, type SlideState } from './status';

export interface WatchOptions {
  intervalMs?: number;
  /** Write bars to this stream (default stderr, so stdout keeps the summary for scripts). */
  stream?: NodeJS.WritableStream;
}

export async function watchSlides(
  client: Client,
  workflowIds: string[],
  opts: WatchOptions = {},
): Promise<SlideState[]> {
  const bars = new MultiBar(
    {
      format: ' {bar} {percentage}% | {phase} | tier {tier} | {name}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      stream: opts.stream ?? process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  const byId = new Map<string, SingleBar>();
  const final = new Map<string, SlideState>();
  try {
    while (final.size < workflowIds.length) {
      for (const id of workflowIds) {
        if (final.has(id)) continue;
        const state = await readSlideState(client, id);
        const bar = byId.get(id) ?? bars.create(1, 0, { phase: 'UNKNOWN', tier: '-', name: id });
        byId.set(id, bar);
        if (!state) {
          final.set(id, { workflowId: id, execution: 'NOT_FOUND' });
          bar.update(0, { phase: 'NOT FOUND' });
          continue;
        }
        const progress = state.status?.progress ?? state.result?.progress;
        if (progress && progress.total > 0) bar.setTotal(progress.total);
        const phase = state.execution === 'RUNNING' ? (state.status?.phase ?? 'RUNNING') : state.execution;
        bar.update(progress?.done ?? 0, {
          phase,
          tier: state.status?.tier?.name ?? state.result?.tier ?? '-',
        });
        if (state.execution !== 'RUNNING') final.set(id, state);
      }
      if (final.size < workflowIds.length) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    }
  } finally {
    bars.stop();
  }
  return workflowIds.map((id) => final.get(id) as SlideState);
}

/** Watches `ids` to the end, prints one line per slide and a count; exit code 1 unless all completed. */
export async function watchAndSummarise(client: Client, ids: string[]): Promise<void> {
  const states = await watchSlides(client, ids);
  const done = states.filter((s) => s.execution === 'COMPLETED').length;
  for (const s of states) {
    const extra = s.result
      ? `launches ${s.result.launches}, ${formatCost(s.result.taskSeconds, s.result.cost)}`
      : (s.failure?.split('\n')[0] ?? '');
    console.log(`${s.execution.padEnd(10)} ${s.workflowId} ${extra}`);
  }
  console.log(`${done}/${states.length} slides completed`);
  if (done < states.length) process.exitCode = EXIT.failed;
}
