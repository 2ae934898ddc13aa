import { isRole, Roles } from './roles.ts';

describe('isRole', () => {
  it('accepts each defined role', () => {
    for (const role of Object.values(Roles)) expect(isRole(role)).toBe(true);
  });

  it('rejects other names, other casings and non-strings', () => {
    for (const value of ['root', 'Admin', '', undefined, null, 1, {}]) {
      expect(isRole(value)).toBe(false);
    }
  });
});
