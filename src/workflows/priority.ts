// A slide's Temporal priority: its priority key (1 most urgent .. 5) and its source as the
// fairness key, so one source's bulk upload does not starve another's few slides. Set on
// the workflow at start and on its activities, whichever route started it.
import type { Priority } from '@temporalio/common';
import type { SlideInput } from './types';

/** Temporal's default priority key when none is set (1 most urgent .. 5). */
export const DEFAULT_PRIORITY_KEY = 3;

export function slidePriority(input: Pick<SlideInput, 'bucket' | 'priority' | 'source'>): Priority {
  return {
    ...(input.priority !== undefined ? { priorityKey: input.priority } : {}),
    fairnessKey: input.source ?? input.bucket,
  };
}
