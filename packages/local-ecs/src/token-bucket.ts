// The token bucket ECS documents for its API and launch rate limits: a bucket holds up to
// `burst` tokens, refills continuously at `perSecond`, and a call proceeds only when it can
// take its tokens. The clock is injectable so unit tests control time.

/** Milliseconds from any fixed origin; only differences matter. */
export type Clock = () => number;

export interface TokenBucketOptions {
  burst: number;
  perSecond: number;
  now?: Clock;
}

export class TokenBucket {
  readonly burst: number;
  readonly perSecond: number;
  private readonly now: Clock;
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.burst > 0) || !(opts.perSecond > 0)) {
      throw new RangeError('token bucket burst and perSecond must be positive');
    }
    this.burst = opts.burst;
    this.perSecond = opts.perSecond;
    this.now = opts.now ?? Date.now;
    this.tokens = opts.burst;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    }
    this.last = t;
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `n` tokens if all are there; takes nothing otherwise. */
  tryTake(n = 1): boolean {
    this.refill();
    // A small tolerance absorbs floating-point error in the refill arithmetic.
    if (this.tokens + 1e-9 < n) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  /** Takes `n` tokens without checking (used after a separate availability check). */
  take(n: number): void {
    this.refill();
    this.tokens = Math.max(0, this.tokens - n);
  }

  /** Milliseconds until `n` tokens will be available; 0 when they already are. */
  msUntil(n = 1): number {
    this.refill();
    const missing = n - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil((missing * 1000) / this.perSecond);
  }
}
