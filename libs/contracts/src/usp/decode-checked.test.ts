// The boundary pipeline with fake decoders: what happens when protobufjs itself throws.
import { decodeChecked } from './decode-checked.ts';
import { UspDecodeError } from './usp-decode-error.ts';

describe('decodeChecked', () => {
  test('an error thrown by the protobuf decoder becomes a UspDecodeError with it as cause', () => {
    const failure = new RangeError('index out of range: 3 + 10 > 3');
    const throwing = {
      decode(): never {
        throw failure;
      },
    };

    let caught: unknown;
    try {
      decodeChecked(new Uint8Array(0), 'usp.Msg', throwing, () => undefined);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(UspDecodeError);
    expect((caught as UspDecodeError).cause).toBe(failure);
    expect((caught as UspDecodeError).problem).toBe('index out of range: 3 + 10 > 3');
  });

  test('the semantic check sees the decoded message and its problem is thrown', () => {
    const decoded = { header: null };

    expect(() =>
      decodeChecked(new Uint8Array(0), 'usp.Msg', { decode: () => decoded }, (message) =>
        message === decoded ? 'header is not set' : undefined,
      ),
    ).toThrow(new UspDecodeError('usp.Msg', 'header is not set'));
  });
});
