// The worker side of processSlide's metrics sink (src/workflows/metrics-sink.ts): each call
// counts once, never during replay.
import type { InjectedSinks } from '@temporalio/worker';
import type { SlideSinks } from '../workflows/metrics-sink';
import type { ProjectMetrics } from './registry';

export function slideMetricsSinks(m: ProjectMetrics): InjectedSinks<SlideSinks> {
  return {
    slideMetrics: {
      launched: {
        fn: (_info, { cluster, tier, cause }) => {
          m.launches.inc({ cluster, tier });
          if (cause) m.relaunches.inc({ cluster, cause });
        },
      },
      taskEnded: {
        fn: (_info, { cluster, tier, outcome, taskSeconds, cost, spot }) => {
          m.taskOutcomes.inc({ cluster, outcome });
          m.taskSeconds.inc({ tier }, taskSeconds);
          m.cost.inc({ tier, spot: String(spot) }, cost);
        },
      },
      slideEnded: {
        fn: (_info, { tier = 'none', result, durationSeconds, taskSeconds }) => {
          m.slides.inc({ result });
          m.slideDuration.observe({ tier, result }, durationSeconds);
          m.slideTaskSeconds.observe({ tier }, taskSeconds);
        },
      },
    },
  };
}
