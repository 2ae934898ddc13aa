import { KeyIndex } from './key-index.ts';

describe('KeyIndex', () => {
  test('holds client ids per key and forgets a key with its last id', () => {
    const index = new KeyIndex();
    index.add('user:a', 'c1');
    index.add('user:a', 'c2');
    index.add('user:b', 'c3');
    expect(index.get('user:a').sort()).toEqual(['c1', 'c2']);
    index.remove('user:a', 'c1');
    index.remove('user:a', 'c2');
    expect(index.get('user:a')).toEqual([]);
    expect(index.get('user:b')).toEqual(['c3']);
    index.remove('user:none', 'c9');
    expect(index.get('user:none')).toEqual([]);
  });
});
