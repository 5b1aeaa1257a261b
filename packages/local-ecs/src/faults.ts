// Task fault rules: which tasks a rule matches, and whether it fires (at most `times` tasks,
// each with `probability`), drawing from a seeded generator so tests are repeatable.
import type { FaultMatch, TaskFaultRule } from './config';

/** What a rule can look at when a task is launched. */
export interface FaultSubject {
  cluster: string;
  family: string;
  startedBy?: string;
  launchType: string;
  /** The memory the task reserves (task-level memory, else the sum over its containers). */
  taskMemory: number;
  /** Each container's environment (definition + overrides). */
  environments: Record<string, string>[];
}

export function matchesSubject(match: FaultMatch, s: FaultSubject): boolean {
  if (match.cluster !== undefined && match.cluster !== s.cluster) return false;
  if (match.family !== undefined && match.family !== s.family) return false;
  if (match.launchType !== undefined && match.launchType !== s.launchType) return false;
  if (match.startedByPrefix !== undefined && !(s.startedBy ?? '').startsWith(match.startedByPrefix)) {
    return false;
  }
  if (match.taskMemoryAtMost !== undefined && s.taskMemory > match.taskMemoryAtMost) return false;
  if (match.taskMemoryAtLeast !== undefined && s.taskMemory < match.taskMemoryAtLeast) return false;
  const wanted = Object.entries(match.environment ?? {});
  if (wanted.length > 0 && !s.environments.some((env) => wanted.every(([k, v]) => env[k] === v))) {
    return false;
  }
  return true;
}

export interface TaskFaultState {
  rule: TaskFaultRule;
  fired: number;
}

export class TaskFaults {
  private rules: TaskFaultState[] = [];

  constructor(private readonly random: () => number) {}

  add(rule: TaskFaultRule): void {
    this.rules.push({ rule, fired: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): TaskFaultState[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The first rule, in order, that matches the task, has firings left and wins its draw. */
  pick(subject: FaultSubject): TaskFaultRule | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      if (!matchesSubject(rule.match, subject)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      state.fired += 1;
      return rule;
    }
    return undefined;
  }
}
