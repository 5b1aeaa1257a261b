// The larger chaos run: `npx tsx bench/chaos.ts [--slides 300] [--real 10] [--slots 20] [--operators 3]`.
// Prints the same figures as the chaos test and writes bench/results/chaos.json.
import { Command } from 'commander';
import { formatFigures, runChaos, type ChaosOptions } from './chaos-run';
import { writeResults } from './write-results';

async function main(): Promise<void> {
  const o = new Command('chaos')
    .option('--slides <n>', 'slides', Number, 300)
    .option('--real <n>', 'slides run by the real processor', Number, 10)
    .option('--slots <n>', 'task slots per worker (two workers)', Number, 8)
    .option('--simulated-ms <ms>', 'run time of a simulated task', Number, 2500)
    .option('--seed <n>', 'fault seed', Number, 11)
    .option(
      '--operators <n>',
      'slides terminated + re-submitted, and as many reset, plus one budget termination',
      Number,
      0,
    )
    .parse()
    .opts<{
      slides: number;
      real: number;
      slots: number;
      simulatedMs: number;
      seed: number;
      operators: number;
    }>();
  const options: ChaosOptions = {
    slides: o.slides,
    realSlides: o.real,
    slotsPerWorker: o.slots,
    simulatedMs: o.simulatedMs,
    seed: o.seed,
    operatorActions: o.operators,
    log: (line) => console.error(line),
  };
  const figures = await runChaos(options);
  console.log(formatFigures(figures));
  const { log: _log, ...recorded } = options;
  console.log(`results: ${writeResults('chaos', figures, recorded)}`);
  const ok =
    figures.completed === figures.slides &&
    figures.maxRunsPerSlide === 1 &&
    // Without operators every task is a launch a result counts; with them, closed runs add some.
    figures.tasksOfClosedRuns >= 0 &&
    (figures.operatorActions.resubmitted + figures.operatorActions.reset > 0 ||
      figures.tasksOfClosedRuns === 0) &&
    figures.maxLiveTasksPerSlide === 1 &&
    figures.tasksStillRunning === 0;
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
