// Per-agent names from one pattern: `%d` is the agent's number, `%05d` the number zero-padded
// to 5 digits, `%%` a literal percent sign (`os::SIM-%d` → `os::SIM-1`, `os::SIM-2`, ...).

/** Expands `%d`, `%0Nd` and `%%` in `pattern` for agent number `n`; throws on other `%`s. */
export function expandPattern(pattern: string, n: number): string {
  return pattern.replace(/%(%|0?(\d*)d|.?)/g, (token, spec: string, width: string | undefined) => {
    if (spec === '%') return '%';
    if (spec.endsWith('d')) {
      const digits = String(n);
      return width ? digits.padStart(Number(width), spec.startsWith('0') ? '0' : ' ') : digits;
    }
    throw new RangeError(`pattern ${JSON.stringify(pattern)}: ${token} is not %d, %0Nd or %%`);
  });
}

/** True when the pattern yields a different name per agent (it holds %d). */
export function isPerAgentPattern(pattern: string): boolean {
  return /%0?\d*d/.test(pattern.replaceAll('%%', ''));
}
