import { describe, expect, it } from 'vitest';
import { OriginPolicy } from './OriginPolicy.ts';

describe('OriginPolicy', () => {
  it('serves clients without an Origin, allowed pages with CORS, and refuses other pages', () => {
    const policy = new OriginPolicy(['http://127.0.0.1:5173/', 'https://Studio.example']);
    expect(policy.allowedOrigins).toEqual(['http://127.0.0.1:5173', 'https://studio.example']);
    expect(policy.allows(undefined)).toBe(true);
    expect(policy.allows('http://127.0.0.1:5173')).toBe(true);
    expect(policy.allows('https://studio.example')).toBe(true);
    expect(policy.allows('https://evil.example')).toBe(false);
    expect(policy.allows('null')).toBe(false);
    expect(policy.corsHeaders('https://studio.example')).toMatchObject({
      'access-control-allow-origin': 'https://studio.example',
      vary: 'origin',
    });
    expect(policy.corsHeaders('https://evil.example')).toEqual({ vary: 'origin' });
    expect(() => policy.check('https://evil.example')).toThrow(
      expect.objectContaining({ status: 403, code: 'origin_not_allowed' }),
    );
  });

  it('never lets a page use the admin API, even with *', () => {
    const policy = new OriginPolicy(['*']);
    expect(policy.allows('https://any.example')).toBe(true);
    expect(policy.allows('https://any.example', { admin: true })).toBe(false);
    expect(policy.allows(undefined, { admin: true })).toBe(true);
    expect(policy.corsHeaders('https://any.example', { admin: true })).toEqual({ vary: 'origin' });
  });

  it('names an entry that is not an origin', () => {
    expect(() => new OriginPolicy(['studio.example'])).toThrow(/not a URL/);
    expect(() => new OriginPolicy(['https://studio.example/app'])).toThrow(/scheme:\/\/host/);
    expect(() => new OriginPolicy(['ftp://studio.example'])).toThrow(/scheme:\/\/host/);
  });
});
