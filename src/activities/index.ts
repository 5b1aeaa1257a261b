// Binds the activities to their dependencies (AWS clients, the shared poller, settings).
import type { EcsActivities, SlideActivities } from './api';
import { planSlide, type PlanDeps } from './plan-slide';
import { runEcsTask, type EcsActivityDeps } from './run-ecs-task';
import { stopEcsTask, type StopDeps } from './stop-ecs-task';

export function createSlideActivities(deps: PlanDeps & StopDeps): SlideActivities {
  return {
    planSlide: (input) => planSlide(deps, input),
    stopEcsTask: (input) => stopEcsTask(deps, input),
  };
}

export function createEcsActivities(deps: EcsActivityDeps): EcsActivities {
  return { runEcsTask: (input) => runEcsTask(deps, input) };
}
