// Launches waiting in admitLaunch on this worker, for the "slides wait too long" alert.
export class WaitingLaunches {
  private readonly waiting = new Map<number, { cluster: string; since: number }>();
  private next = 0;

  /** Marks a launch as waiting since `since` (epoch ms); call the returned function when it is granted. */
  begin(cluster: string, since: number): () => void {
    const id = this.next++;
    this.waiting.set(id, { cluster, since });
    return () => this.waiting.delete(id);
  }

  /** Seconds the oldest waiting launch has waited, per cluster. */
  oldestWaitSeconds(now = Date.now()): Map<string, number> {
    const oldest = new Map<string, number>();
    for (const { cluster, since } of this.waiting.values()) {
      oldest.set(cluster, Math.max(oldest.get(cluster) ?? 0, (now - since) / 1000));
    }
    return oldest;
  }
}
