import { describe, expect, it } from 'vitest';
import { checkAdvertisedUrl } from './checkAdvertisedUrl.ts';

describe('checkAdvertisedUrl', () => {
  it('takes an http(s) origin, with or without a trailing slash or port', () => {
    expect(checkAdvertisedUrl('http://10.0.0.5:8088')).toBe('http://10.0.0.5:8088');
    expect(checkAdvertisedUrl('https://gw-a.example.net/')).toBe('https://gw-a.example.net');
    expect(checkAdvertisedUrl('http://[fd00::5]:8088')).toBe('http://[fd00::5]:8088');
  });

  it.each([
    ['gw-a:8088', /scheme is gw-a, not http or https/],
    ['10.0.0.5:8088', /absolute URL/],
    ['', /absolute URL/],
    ['ftp://gw-a.example.net', /scheme is ftp/],
    ['http://user:pw@gw-a.example.net', /credentials/],
    ['http://gw-a.example.net/gateway', /has a path \(\/gateway\)/],
    ['http://gw-a.example.net/?x=1', /query or a fragment/],
    ['http://0.0.0.0:8088', /0\.0\.0\.0 is no address/],
    ['http://[::]:8088', /\[::\] is no address/],
  ])('refuses %j, saying why', (value, why) => {
    expect(() => checkAdvertisedUrl(value, '--advertised-url')).toThrow(RangeError);
    expect(() => checkAdvertisedUrl(value, '--advertised-url')).toThrow(why);
    expect(() => checkAdvertisedUrl(value, '--advertised-url')).toThrow(/--advertised-url/);
  });
});
