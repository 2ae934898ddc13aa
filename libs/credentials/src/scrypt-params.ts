/** Tunable scrypt cost parameters; stored beside every hash so they can be raised later. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
  /** Derived key length in bytes. */
  readonly keyLength: number;
  /** Random salt length in bytes. */
  readonly saltLength: number;
}

/** Parameters for new hashes: ≈16 MiB and a few tens of milliseconds per verification. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({
  N: 16384,
  r: 8,
  p: 1,
  keyLength: 32,
  saltLength: 16,
});

// The parameters come from a KV record that anyone with bucket write access can change, so
// each is bounded, and so are their products: the per-field limits alone would still admit
// N=2^20, r=32, p=16 (4 GiB and minutes of CPU per login attempt).
/** Bounds a stored hash must respect before the service will spend memory and CPU on it. */
export const SCRYPT_LIMITS = Object.freeze({
  minN: 2 ** 10,
  maxN: 2 ** 20,
  minR: 1,
  maxR: 32,
  minP: 1,
  maxP: 16,
  minKeyLength: 16,
  maxKeyLength: 64,
  minSaltLength: 16,
  maxSaltLength: 64,
  /** Upper bound of {@link scryptMemoryBytes}: enough for N=2^17, r=8 (OWASP's figure) and twice that. */
  maxMemoryBytes: 256 * 1024 * 1024,
  /** Upper bound of N·r·p, 32× the default work. */
  maxWork: 2 ** 22,
});

/** Bytes OpenSSL allocates for one scrypt run; passed as `maxmem` so the check is exact. */
export function scryptMemoryBytes(params: Pick<ScryptParams, 'N' | 'r' | 'p'>): number {
  // OpenSSL's EVP_PBE_scrypt needs p·128·r bytes for B plus 128·r·(N+2) for V and XY.
  return 128 * params.r * (params.N + params.p + 2);
}

/** Lists every way `params` falls outside {@link SCRYPT_LIMITS}; empty when they are safe. */
export function unsafeScryptParamProblems(params: ScryptParams): string[] {
  const problems: string[] = [];
  const L = SCRYPT_LIMITS;
  const { N, r, p, keyLength, saltLength } = params;
  if (!isPowerOfTwo(N) || N < L.minN || N > L.maxN) {
    problems.push(`N must be a power of two from ${L.minN} to ${L.maxN}, got ${N}`);
  }
  checkRange(problems, 'r', r, L.minR, L.maxR);
  checkRange(problems, 'p', p, L.minP, L.maxP);
  checkRange(problems, 'keyLength', keyLength, L.minKeyLength, L.maxKeyLength);
  checkRange(problems, 'salt length', saltLength, L.minSaltLength, L.maxSaltLength);
  if (problems.length === 0) {
    const memory = scryptMemoryBytes(params);
    if (memory > L.maxMemoryBytes) {
      problems.push(`N and r need ${memory} bytes, more than the ${L.maxMemoryBytes} allowed`);
    }
    if (N * r * p > L.maxWork) {
      problems.push(`N·r·p is ${N * r * p}, more than the ${L.maxWork} allowed`);
    }
  }
  return problems;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

function checkRange(
  problems: string[],
  name: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
