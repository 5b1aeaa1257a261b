// Memory use of process trees, read from /proc (Linux), and one shared poller that reports
// trees over their limit. A single timer serves every watched process, and it runs only while
// something is watched, so simulated tasks cost nothing here.
import { readdir, readFile } from 'node:fs/promises';

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Parent pid of every live process. */
async function parentMap(): Promise<Map<number, number>> {
  const entries = await readdir('/proc');
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  const parents = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readText(`/proc/${pid}/stat`);
      if (stat === undefined) return;
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (Number.isFinite(ppid)) parents.set(pid, ppid);
    }),
  );
  return parents;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readText(`/proc/${pid}/status`);
  const m = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Resident memory of each root's whole process tree, in bytes. */
export async function processTreeRss(roots: number[]): Promise<Map<number, number>> {
  const parents = await parentMap();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out = new Map<number, number>();
  await Promise.all(
    roots.map(async (root) => {
      if (!parents.has(root)) {
        out.set(root, 0);
        return;
      }
      const tree: number[] = [];
      const queue = [root];
      while (queue.length > 0) {
        const pid = queue.pop() as number;
        tree.push(pid);
        queue.push(...(children.get(pid) ?? []));
      }
      const sizes = await Promise.all(tree.map(rssBytes));
      out.set(
        root,
        sizes.reduce((a, b) => a + b, 0),
      );
    }),
  );
  return out;
}

export const procAvailable = (): boolean => process.platform === 'linux';

interface Watch {
  limitBytes: number;
  onExceeded: () => void;
}

export class MemoryWatcher {
  private readonly watched = new Map<number, Watch>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  /** `intervalMs` 0 (or a system without /proc) disables watching. */
  constructor(private readonly intervalMs: number) {}

  get enabled(): boolean {
    return this.intervalMs > 0 && procAvailable();
  }

  /** Calls `onExceeded` once when the tree under `pid` uses more than `limitBytes`. */
  watch(pid: number, limitBytes: number, onExceeded: () => void): () => void {
    if (!this.enabled || this.closed) return () => undefined;
    this.watched.set(pid, { limitBytes, onExceeded });
    this.schedule();
    return () => {
      this.watched.delete(pid);
    };
  }

  private schedule(): void {
    if (this.timer || this.closed || this.watched.size === 0) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        this.timer = undefined;
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const pids = [...this.watched.keys()];
    let usage: Map<number, number>;
    try {
      usage = await processTreeRss(pids);
    } catch (err) {
      console.error('[local-ecs] reading /proc failed:', err);
      return;
    }
    for (const [pid, bytes] of usage) {
      const watch = this.watched.get(pid);
      if (watch && bytes > watch.limitBytes) {
        this.watched.delete(pid);
        watch.onExceeded();
      }
    }
  }

  close(): void {
    this.closed = true;
    this.watched.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
