import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config/index.js';
import { configError, requiredEnv } from '../helpers/config.js';

const required = requiredEnv;
const fail = configError;

describe('configuration from the environment', () => {
  it('applies every default', () => {
    const c = loadConfig(required);
    expect(c).toMatchObject({
      discord: { apiUrl: 'https://discord.com/api', guildId: undefined },
      dmxapi: { baseUrl: 'https://www.dmxapi.cn', maxRps: 10 },
      databasePath: 'data/model3d.sqlite',
      pollIntervalMs: 5000,
      jobTimeoutMs: 1_800_000,
      imageUrlAllowPrivate: false,
      logLevel: 'info',
      quota: { userDaily: 5, guildDaily: 100, userDailyAll: 20, globalDaily: 0, maxConcurrent: 2, cooldownS: 30, detailedCost: 2, timeZone: 'UTC' },
      turntable: { enabled: true, size: 320, timeoutMs: 30_000 },
      web: null,
    });
  });

  it('turns the viewer page on with PUBLIC_URL only', () => {
    expect(loadConfig({ ...required, HTTP_PORT: '9000' }).web).toBeNull();
    expect(loadConfig({ ...required, PUBLIC_URL: 'https://models.example.com/', HTTP_PORT: '9000', HTTP_HOST: '0.0.0.0' }).web).toEqual({
      publicUrl: 'https://models.example.com',
      port: 9000,
      host: '0.0.0.0',
      rateLimitPerMinute: 300,
    });
    expect(() => loadConfig({ ...required, PUBLIC_URL: 'models.example.com' })).toThrow(/PUBLIC_URL must be an http\(s\) URL/);
  });

  it('reads the turntable switch, size and timeout', () => {
    const c = loadConfig({ ...required, TURNTABLE: 'off', TURNTABLE_SIZE: '200', TURNTABLE_TIMEOUT_MS: '5000' });
    expect(c.turntable).toEqual({ enabled: false, size: 200, timeoutMs: 5000 });
    expect(fail({ ...required, TURNTABLE: 'false' })).toMatch(/TURNTABLE must be on or off/);
    expect(fail({ ...required, TURNTABLE_SIZE: '2000' })).toMatch(/TURNTABLE_SIZE must be a whole number from 64 to 640/);
  });

  it('treats empty values as unset and trims a trailing slash from URLs', () => {
    const c = loadConfig({ ...required, POLL_INTERVAL_MS: '', DMXAPI_BASE_URL: 'http://127.0.0.1:8787/' });
    expect(c.pollIntervalMs).toBe(5000);
    expect(c.dmxapi.baseUrl).toBe('http://127.0.0.1:8787');
  });

  it('names the missing or malformed variable in one line, with the allowed values', () => {
    expect(fail({ DMXAPI_KEY: 'k' })).toBe('Configuration error: DISCORD_TOKEN is required');
    expect(fail({ ...required, POLL_INTERVAL_MS: '5s' })).toBe(
      'Configuration error: POLL_INTERVAL_MS must be a whole number from 50 to 600000 (got "5s")',
    );
    expect(fail({ ...required, UPSTREAM_MAX_RPS: '25' })).toMatch(/UPSTREAM_MAX_RPS must be a whole number from 1 to 20/);
    expect(fail({ ...required, IMAGE_URL_ALLOW_PRIVATE: 'maybe' })).toMatch(/IMAGE_URL_ALLOW_PRIVATE must be true or false/);
    expect(fail({ ...required, QUOTA_TIMEZONE: 'Mars/Base' })).toMatch(/QUOTA_TIMEZONE must be an IANA time zone/);
    expect(fail({ ...required, DISCORD_API_URL: 'ftp://discord' })).toMatch(/DISCORD_API_URL must be an http\(s\) URL/);
  });
});

describe('model processes', () => {
  it('a heap limit and an OS bound on all the memory of each, the bound larger than the heap', () => {
    expect(loadConfig(required).model).toMatchObject({ workers: 1, workerMemoryMb: 1024, processMemoryMb: 2048 });
    expect(loadConfig({ ...required, MODEL_WORKER_MEMORY_MB: '512', MODEL_PROCESS_MEMORY_MB: '768' }).model).toMatchObject({ workerMemoryMb: 512, processMemoryMb: 768 });
    expect(fail({ ...required, MODEL_PROCESS_MEMORY_MB: '1024' })).toBe(
      'Configuration error: MODEL_PROCESS_MEMORY_MB must be larger than MODEL_WORKER_MEMORY_MB (1024): the heap is part of the process (got "1024")',
    );
    expect(fail({ ...required, MODEL_PROCESS_MEMORY_MB: '100' })).toMatch(/MODEL_PROCESS_MEMORY_MB must be a whole number from 512 to 65536/);
  });
});

describe('DATABASE_URL', () => {
  it('selects PostgreSQL; unset or empty keeps SQLite', () => {
    expect(loadConfig(required).databaseUrl).toBeUndefined();
    expect(loadConfig({ ...required, DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    const url = 'postgres://bot:p%40ss-w0rd@db.internal:5432/model3d';
    expect(loadConfig({ ...required, DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ ...required, DATABASE_URL: 'postgresql://db/model3d' }).databaseUrl).toBe('postgresql://db/model3d');
  });

  it('refuses anything but a postgres URL, without echoing it (it may hold a password)', () => {
    const msg = fail({ ...required, DATABASE_URL: 'mysql://root:hunter22@db/bot' });
    expect(msg).toBe('Configuration error: DATABASE_URL must be a postgres:// or postgresql:// URL');
  });

  it('its password and the whole URL are among the secrets scrubbed from logs', () => {
    const c = loadConfig({ ...required, DATABASE_URL: 'postgres://bot:p%40ss-w0rd@db.internal:5432/model3d' });
    expect(secretsOf(c)).toEqual(['bot-token-123456', 'sk-secret-123456', c.databaseUrl, 'p@ss-w0rd']);
    expect(secretsOf(loadConfig(required))).toEqual(['bot-token-123456', 'sk-secret-123456']);
  });
});
