import { MemoryGuard } from './memory-guard.ts';

describe('MemoryGuard', () => {
  test('sheds load at the limit and recovers only below 80% of it', () => {
    let used = 50;
    const guard = new MemoryGuard(100, () => used);
    expect(guard.sample()).toBe(false);
    used = 100;
    expect(guard.sample()).toBe(true);
    used = 85;
    expect(guard.sample()).toBe(true);
    used = 79;
    expect(guard.sample()).toBe(false);
  });

  test('a limit of 0 never sheds', () => {
    const guard = new MemoryGuard(0, () => Number.MAX_SAFE_INTEGER);
    expect(guard.sample()).toBe(false);
  });
});
