import { Semaphore } from './semaphore.ts';

describe('Semaphore', () => {
  test('lets in at most its limit and hands slots over in arrival order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    const third = semaphore.acquire().then(() => order.push(3));
    const fourth = semaphore.acquire().then(() => order.push(4));
    expect(semaphore.pending).toBe(4);
    await Promise.resolve();
    expect(order).toEqual([]);
    semaphore.release();
    await third;
    semaphore.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    semaphore.release();
    semaphore.release();
    expect(semaphore.pending).toBe(0);
  });

  test('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
