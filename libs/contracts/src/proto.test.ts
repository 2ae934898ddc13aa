import { mesh, usp_record } from './proto.ts';

describe('generated protobuf code', () => {
  test('64-bit fields decode as plain numbers, as the generated types promise', () => {
    const bytes = mesh.acl.v1.RulesChanged.encode({
      revision: 2 ** 40 + 5,
      ruleId: 'r',
      operation: 'put',
    }).finish();
    const decoded = mesh.acl.v1.RulesChanged.decode(bytes);
    expect(typeof decoded.revision).toBe('number');
    expect(decoded.revision).toBe(2 ** 40 + 5);
    const session = usp_record.SessionContextRecord.decode(
      usp_record.SessionContextRecord.encode({
        sessionId: 123456789012,
        sequenceId: 7,
        expectedId: 8,
      }).finish(),
    );
    expect(session.sessionId).toBe(123456789012);
  });
});
