// Work-measured timers: a slowdown stretches only the work that is left.
import { StretchableTimer } from '../src/stretchable-timer';
import { Timers } from '../src/timers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('slowed half-way, 1000 ms of work ends at 500 + 2 × 500 ms', () => {
  const timers = new Timers();
  const fired = jest.fn();
  const timer = new StretchableTimer(timers, 1000, 1, fired);
  jest.advanceTimersByTime(500);
  timer.setSlowdown(2);
  jest.advanceTimersByTime(999);
  expect(fired).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(fired).toHaveBeenCalledTimes(1);
});

test('back to full speed, the rest is shortened again; stop() cancels', () => {
  const timers = new Timers();
  const fired = jest.fn();
  const timer = new StretchableTimer(timers, 1000, 2, fired);
  jest.advanceTimersByTime(1000); // 500 ms of work done
  timer.setSlowdown(1);
  jest.advanceTimersByTime(500);
  expect(fired).toHaveBeenCalledTimes(1);
  const other = jest.fn();
  new StretchableTimer(timers, 100, 1, other).stop();
  jest.advanceTimersByTime(1000);
  expect(other).not.toHaveBeenCalled();
});
