import { PendingNotifies } from './notify-retries.ts';

describe('PendingNotifies', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resends with doubling waits and gives up after the last attempt [R-NOT.1]', () => {
    const givenUp: string[] = [];
    const notifies = new PendingNotifies({ attempts: 2, minWaitMs: 1000, multiplier: 2 }, (id) =>
      givenUp.push(id),
    );
    let sends = 0;
    notifies.track('n-1', () => sends++);
    jest.advanceTimersByTime(999);
    expect(sends).toBe(0);
    jest.advanceTimersByTime(1001); // first wait is within [1 s, 2 s]
    expect(sends).toBe(1);
    jest.advanceTimersByTime(4000); // second wait within [2 s, 4 s]
    expect(sends).toBe(2);
    expect(givenUp).toEqual([]);
    jest.advanceTimersByTime(8000); // the last resend gets its wait too
    expect(givenUp).toEqual(['n-1']);
    expect(notifies.size).toBe(0);
    jest.advanceTimersByTime(60_000);
    expect(sends).toBe(2);
  });

  it('stops resending once answered', () => {
    const notifies = new PendingNotifies({ attempts: 5, minWaitMs: 1000 }, () => undefined);
    let sends = 0;
    notifies.track('n-1', () => sends++);
    jest.advanceTimersByTime(2000);
    expect(notifies.answered('n-1')).toBe(true);
    expect(notifies.answered('n-1')).toBe(false);
    jest.advanceTimersByTime(600_000);
    expect(sends).toBe(1);
  });
});
