// How a task's container runs here: a simulated one on timers, a real one as a local
// process with the environment ECS would give it plus the stack's own, its output in the
// task's log file, and its memory watched.
import path from 'node:path';
import type { LocalEcsConfig } from './config';
import type { ContainerRuntime, RuntimeEvents } from './container-runtime';
import { startProcess } from './process-runner';
import { MemoryWatcher } from './proc-memory';
import { simulationPlan, startSimulated } from './simulated';
import type { ContainerState, TaskRecord } from './task';
import type { Timers } from './timers';

export class ContainerLauncher {
  private readonly watcher: MemoryWatcher;
  private readonly logDir: string;
  private readonly cwd: string;

  constructor(
    private readonly config: LocalEcsConfig,
    private readonly timers: Timers,
  ) {
    this.watcher = new MemoryWatcher(config.memoryPollMs);
    this.logDir = path.resolve(config.logDir);
    this.cwd = path.resolve(config.cwd ?? process.cwd());
  }

  /** `<logDir>/<cluster>/<taskId>.log`; every real container of the task appends to it. */
  logFileOf(task: Pick<TaskRecord, 'clusterName' | 'id'>): string {
    return path.join(this.logDir, task.clusterName, `${task.id}.log`);
  }

  /**
   * The container's environment, lowest precedence first: what ECS sets, the stack's
   * taskEnvironment, the task definition's, then containerOverrides'.
   */
  private environmentOf(task: TaskRecord, c: ContainerState): Record<string, string> {
    return {
      AWS_REGION: this.config.region,
      AWS_DEFAULT_REGION: this.config.region,
      LOCAL_ECS_TASK_ARN: task.arn,
      LOCAL_ECS_CLUSTER: task.clusterName,
      LOCAL_ECS_CONTAINER_NAME: c.spec.name,
      ...this.config.taskEnvironment,
      ...c.environment,
    };
  }

  /** Variables of the local ECS's own environment that processes get (PATH, HOME... by default). */
  private inheritedEnv(): Record<string, string> {
    const inherit = this.config.inheritEnvironment;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v === undefined) continue;
      if (inherit === true || (Array.isArray(inherit) && inherit.includes(k))) out[k] = v;
    }
    return out;
  }

  launch(task: TaskRecord, c: ContainerState, events: RuntimeEvents): ContainerRuntime {
    const env = this.environmentOf(task, c);
    if (c.spec.simulated) {
      const plan = simulationPlan(env, this.config.simulated.defaultDurationMs);
      if (typeof plan === 'string') {
        this.timers.after(0, () => events.startFailed(`CannotStartContainerError: ${plan}`));
        return { signal: () => undefined, destroy: () => Promise.resolve() };
      }
      return startSimulated(plan, events, this.timers, c.hardLimitMiB);
    }
    return startProcess(
      {
        command: c.command,
        env: { ...this.inheritedEnv(), ...env },
        cwd: this.cwd,
        logFile: this.logFileOf(task),
        hardLimitMiB: c.hardLimitMiB,
      },
      events,
      this.watcher,
    );
  }

  close(): void {
    this.watcher.close();
  }
}
