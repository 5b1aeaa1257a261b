// What a slide's tasks cost, estimated from task-seconds and the tier's size at Fargate
// prices (a FARGATE_SPOT launch at the spot ratio). Pure, so the workflow can keep a running
// total in its status without I/O.
import type { FargatePrices, SizeTier } from './types';

/** us-east-1 Linux/x86 on-demand; FARGATE_SPOT is "up to 70%" cheaper, so 0.3 of it. */
export const DEFAULT_PRICES: FargatePrices = { vcpuHour: 0.04048, gbHour: 0.004445, spotRatio: 0.3 };

export function isSpot(capacityProviderName: string | undefined): boolean {
  return capacityProviderName === 'FARGATE_SPOT';
}

/** USD for `seconds` of one task of `tier` (cpu units / 1024 vCPU, MiB / 1024 GB). */
export function estimateCost(
  tier: Pick<SizeTier, 'cpu' | 'memory'>,
  seconds: number,
  spot: boolean,
  prices: FargatePrices = DEFAULT_PRICES,
): number {
  const perHour = (tier.cpu / 1024) * prices.vcpuHour + (tier.memory / 1024) * prices.gbHour;
  return (seconds / 3600) * perHour * (spot ? prices.spotRatio : 1);
}

/** Sums launches' costs, rounded to a millionth of a dollar so JSON stays readable. */
export function sumCosts(costs: (number | undefined)[]): number {
  return Math.round(costs.reduce<number>((sum, c) => sum + (c ?? 0), 0) * 1e6) / 1e6;
}
