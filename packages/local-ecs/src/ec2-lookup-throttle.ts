// RunTask for awsvpc tasks makes ECS look the subnets up in EC2; when launches burst, EC2
// throttles ECS and ECS answers InvalidParameterException with the EC2 error in the message
// (dagster#33439, dask-cloudprovider#56), not a ThrottlingException, so SDK retries miss it.
import type { Ec2LookupThrottle } from './config';
import { invalidParameter, type EcsError } from './protocol';

export const ec2LookupThrottled = (subnetId: string): EcsError =>
  invalidParameter(
    `Error retrieving subnet information for [${subnetId}]: Rate exceeded (ErrorCode: Throttling)`,
  );

export class Ec2LookupThrottler {
  /** Epoch ms of recent awsvpc RunTask calls, oldest first. */
  private calls: number[] = [];

  constructor(
    private readonly settings: Ec2LookupThrottle | false | undefined,
    private readonly random: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an awsvpc RunTask call; throws the wrapped throttle when the burst is over. */
  check(subnetId: string | undefined): void {
    const s = this.settings;
    if (!s || subnetId === undefined) return;
    const t = this.now();
    this.calls = this.calls.filter((at) => at > t - s.windowMs);
    this.calls.push(t);
    if (this.calls.length > s.burst && this.random() < s.probability) throw ec2LookupThrottled(subnetId);
  }
}
