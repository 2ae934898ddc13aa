import { parseSubjectAltName } from './subject-alt-name.ts';

describe('parseSubjectAltName', () => {
  test('DNS, URI and email names are collected in order; other kinds are ignored', () => {
    expect(
      parseSubjectAltName(
        'DNS:a.example, IP Address:192.0.2.1, URI:urn:bbf:usp:id:os::1, DNS:b.example, email:x@example',
      ),
    ).toEqual({
      dns: ['a.example', 'b.example'],
      uri: ['urn:bbf:usp:id:os::1'],
      email: ['x@example'],
    });
  });

  test('a quoted value with a comma (as Node writes it) stays one name and cannot inject another', () => {
    expect(parseSubjectAltName('DNS:ok.example, URI:"urn:x\\u002c DNS:evil"')).toEqual({
      dns: ['ok.example'],
      uri: ['urn:x, DNS:evil'],
      email: [],
    });
  });

  test('no subjectAltName gives no names', () => {
    expect(parseSubjectAltName(undefined)).toEqual({ dns: [], uri: [], email: [] });
  });
});
