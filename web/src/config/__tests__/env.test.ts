import { ConfigError, parseEnv } from '@/config/env';

describe('parseEnv', () => {
  it('defaults to /api on the same origin', () => {
    expect(parseEnv({})).toEqual({ API_BASE_URL: '/api' });
    expect(parseEnv({ VITE_API_BASE_URL: '  ' })).toEqual({ API_BASE_URL: '/api' });
  });

  it('takes a path or an http(s) URL, without the trailing slash', () => {
    expect(parseEnv({ VITE_API_BASE_URL: '/storybot/api/' }).API_BASE_URL).toBe('/storybot/api');
    expect(parseEnv({ VITE_API_BASE_URL: 'https://api.example.org/api' }).API_BASE_URL).toBe('https://api.example.org/api');
  });

  it('refuses anything else at start', () => {
    expect(() => parseEnv({ VITE_API_BASE_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => parseEnv({ VITE_API_BASE_URL: 'api' })).toThrow(/VITE_API_BASE_URL/);
    expect(() => parseEnv({ VITE_API_BASE_URL: '//evil.example' })).toThrow(ConfigError);
  });
});
