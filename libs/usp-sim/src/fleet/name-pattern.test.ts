import { expandPattern, isPerAgentPattern } from './name-pattern.ts';

describe('expandPattern', () => {
  it('puts the agent number where %d is, zero-padded with %0Nd, and %% as %', () => {
    expect(expandPattern('os::SIM-%d', 7)).toBe('os::SIM-7');
    expect(expandPattern('os::00D09E-%06d', 42)).toBe('os::00D09E-000042');
    expect(expandPattern('pw%%-%d', 3)).toBe('pw%-3');
    expect(expandPattern('fixed', 3)).toBe('fixed');
  });

  it('refuses other % sequences', () => {
    expect(() => expandPattern('a-%s', 1)).toThrow(RangeError);
    expect(() => expandPattern('a-%', 1)).toThrow(RangeError);
  });

  it('tells per-agent patterns from fixed ones', () => {
    expect(isPerAgentPattern('sim-%d')).toBe(true);
    expect(isPerAgentPattern('sim-%%d')).toBe(false);
    expect(isPerAgentPattern('secret')).toBe(false);
  });
});
