// Queries and signals of processSlide, shared by the workflow, the activities and clients.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SlideStatus, TaskUpdate } from './types';

export const WORKFLOW_TYPE = 'processSlide';
export const DEFAULT_SLIDES_TASK_QUEUE = 'slides';
export const DEFAULT_ECS_TASK_QUEUE = 'ecs-tasks';
export const DEFAULT_ADMISSION_TASK_QUEUE = 'ecs-admission';
export const DEFAULT_BUDGET_TASK_QUEUE = 'cluster-budget';

/** Phase, task ARN, attempts, tier and last progress of the slide. */
export const statusQuery = defineQuery<SlideStatus>('status');

/** runEcsTask reports its task's ARN, ECS status and checkpoint progress through this. */
export const taskUpdateSignal = defineSignal<[TaskUpdate]>('taskUpdate');
