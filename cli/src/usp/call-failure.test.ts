import {
  RemoteServiceError,
  ServiceUnavailableError,
  Subjects,
  UnavailableKinds,
} from '@octomesh/contracts';
import { describeCallFailure } from './call-failure.ts';

const context = { endpointId: 'os::X', timeoutMs: 5000, callTimeoutMs: 7000 };
const remote = (code: number, description: string) =>
  new RemoteServiceError(Subjects.uspSend, code, description);

describe('describeCallFailure', () => {
  test.each([
    [404, 'unknown endpoint os::X', 'unknown endpoint os::X'],
    [409, 'endpoint os::X is offline', 'endpoint os::X is offline'],
    [
      409,
      'msg_id m-1 is already waiting for an answer',
      'refused: msg_id m-1 is already waiting for an answer',
    ],
    [504, 'no answer from os::X within 5000 ms', 'no answer from os::X within 5000 ms'],
    [504, '', 'no answer from os::X within 5000 ms'],
    [
      400,
      'controller id c is not served by this router',
      'bad request: controller id c is not served by this router',
    ],
    [
      503,
      'too many requests waiting for answers',
      'usp-router is busy: too many requests waiting for answers',
    ],
    [500, 'boom', 'usp-router error 500: boom'],
  ])('router status %d (%s) reads as one line', (code, description, line) => {
    expect(describeCallFailure(remote(code, description), context)).toBe(line);
  });

  test('the router capping the deadline shows in its own words', () => {
    expect(
      describeCallFailure(remote(504, 'no answer from os::X within 300000 ms'), {
        ...context,
        timeoutMs: 600_000,
      }),
    ).toBe('no answer from os::X within 300000 ms');
  });

  test('no router running, or none answering, is said plainly', () => {
    expect(
      describeCallFailure(
        new ServiceUnavailableError(Subjects.uspSend, UnavailableKinds.noResponders),
        context,
      ),
    ).toBe('no usp-router is running (nobody serves usp.v1.send)');
    expect(
      describeCallFailure(
        new ServiceUnavailableError(Subjects.uspSend, UnavailableKinds.timeout),
        context,
      ),
    ).toBe('usp-router did not answer within 7000 ms');
  });

  test('other errors are not call failures', () => {
    expect(describeCallFailure(new Error('disk full'), context)).toBeUndefined();
  });
});
