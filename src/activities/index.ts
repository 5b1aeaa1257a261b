// Binds the activities to their dependencies (AWS clients, the shared poller, settings).
import type { EcsActivities, HandOverActivities, SlideActivities } from './api';
import { awaitSlideWorkflow, type AwaitDeps } from './await-slide-workflow';
import { planSlide, type PlanDeps } from './plan-slide';
import { runEcsTask, type EcsActivityDeps } from './run-ecs-task';
import { stopEcsTask, type StopDeps } from './stop-ecs-task';

export function createSlideActivities(
  deps: PlanDeps & StopDeps & AwaitDeps,
): SlideActivities & HandOverActivities {
  return {
    planSlide: (input) => planSlide(deps, input),
    stopEcsTask: (input) => stopEcsTask(deps, input),
    awaitSlideWorkflow: (input) => awaitSlideWorkflow(deps, input),
  };
}

export function createEcsActivities(deps: EcsActivityDeps): EcsActivities {
  return { runEcsTask: (input) => runEcsTask(deps, input) };
}
