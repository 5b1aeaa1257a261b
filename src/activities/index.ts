// Binds the activities to their dependencies (AWS clients, the shared poller, settings).
import type {
  AdmissionActivities,
  BudgetActivities,
  EcsActivities,
  HandOverActivities,
  SlideActivities,
} from './api';
import { admitLaunch, type AdmissionDeps } from './admit-launch';
import { awaitSlideWorkflow, type AwaitDeps } from './await-slide-workflow';
import { planSlide, type PlanDeps } from './plan-slide';
import { readCluster, type ReadClusterDeps } from './read-cluster';
import { recoverLeases } from './recover-leases';
import { runEcsTask, type EcsActivityDeps } from './run-ecs-task';
import { stopEcsTask, type StopDeps } from './stop-ecs-task';

/** The `slides` worker's activities: the slides' plan, cleanup and hand-over. */
export function createSlideActivities(
  deps: PlanDeps & StopDeps & AwaitDeps,
): SlideActivities & HandOverActivities {
  return {
    planSlide: (input) => planSlide(deps, input),
    stopEcsTask: (input) => stopEcsTask(deps, input),
    awaitSlideWorkflow: (input) => awaitSlideWorkflow(deps, input),
  };
}

/** The budget worker's local activities: its periodic reading of the cluster, its recovery. */
export function createBudgetActivities(deps: ReadClusterDeps): BudgetActivities {
  return {
    readCluster: (input) => readCluster(deps, input),
    recoverLeases: (input) => recoverLeases(deps, input),
  };
}

export function createAdmissionActivities(deps: AdmissionDeps): AdmissionActivities {
  return { admitLaunch: (input) => admitLaunch(deps, input) };
}

export function createEcsActivities(deps: EcsActivityDeps): EcsActivities {
  return { runEcsTask: (input) => runEcsTask(deps, input) };
}
