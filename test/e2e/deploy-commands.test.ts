import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord/index.js';
import { tempDir } from '../helpers/tmp.js';
import { loadCommands } from '../../src/app/registry.js';
import { checkAgainstSpec, formatProblems } from '../fakes/discord/spec-check.js';

/** One command per file in commands/: what deploy-commands must register (slash and message commands). */
const registry = await loadCommands();
const expectedNames = [...registry.commands.keys(), ...registry.messageCommands.keys()].sort();

const root = fileURLToPath(new URL('../../', import.meta.url));

interface NpmRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Non-empty lines of stdout and stderr together. */
  lines: string[];
}

/**
 * `npm run --silent <script>` (npm's own banner and notices off) with exactly `env` plus PATH and HOME.
 * Variables meant to be unset are passed as '' so that a developer's .env cannot fill them in
 * (dotenv never overrides a variable that is present; the bot treats '' as unset).
 */
function npmRun(script: string, env: Record<string, string>, limitMs = 30_000): Promise<NpmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      reject(new Error(`npm run ${script} did not finish within ${limitMs} ms\n${stdout}\n${stderr}`));
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const lines = `${stdout}\n${stderr}`.split('\n').filter((l) => l.trim() !== '');
      resolve({ code, stdout, stderr, lines });
    });
  });
}

interface CommandOption {
  name: string;
  type: number;
  choices?: { name: string; value: string }[];
}
interface CommandBody {
  name: string;
  type?: number;
  description?: string;
  name_localizations?: Record<string, string>;
  contexts?: number[];
  options?: CommandOption[];
}

describe('npm run deploy-commands against the fake Discord', () => {
  let discord: FakeDiscord;

  beforeEach(async () => {
    discord = await FakeDiscord.start({ guilds: 1 });
  });
  afterEach(async () => {
    await discord.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_TOKEN: discord.botToken,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_GUILD_ID: '',
    DMXAPI_KEY: 'sk-dummy',
    ...extra,
  });

  /** Every request the script made, except the fake's own gateway lookups. */
  const apiRequests = () => discord.requests.filter((r) => !r.route?.startsWith('/gateway'));

  function expectCommandSet(body: unknown): void {
    const cmds = body as CommandBody[];
    expect(expectedNames).toEqual(expect.arrayContaining(['model3d', 'model3d-admin', 'model3d-history', 'quota', 'Make 3D model']));
    expect(cmds.map((c) => c.name).sort()).toEqual(expectedNames);
    const model3d = cmds.find((c) => c.name === 'model3d')!;
    const opt = (name: string) => model3d.options?.find((o) => o.name === name);
    expect(opt('image')?.type).toBe(11);
    expect(opt('url')?.type).toBe(3);
    expect(opt('quality')?.type).toBe(3);
    expect(opt('quality')?.choices?.map((c) => c.value)).toEqual(['standard', 'detailed']);
    for (const view of ['left', 'back', 'right']) expect(opt(view)?.type).toBe(11);
    // Apps → Make 3D model: a message command (type 3), no description, in servers and in DMs with the bot.
    const menu = cmds.find((c) => c.name === 'Make 3D model');
    expect(menu).toMatchObject({ type: 3, name_localizations: { 'zh-CN': '生成 3D 模型' }, contexts: [0, 1] });
    expect(menu?.description ?? '').toBe('');
  }

  it('with DISCORD_GUILD_ID: one bulk PUT to the guild route, and says what it registered', async () => {
    const guildId = discord.guilds[0]!.id;
    const run = await npmRun('deploy-commands', env({ DISCORD_GUILD_ID: guildId }));
    expect(run.code, run.lines.join('\n')).toBe(0);

    const reqs = apiRequests();
    expect(reqs.map((r) => `${r.method} ${r.route}`)).toEqual(['PUT /applications/:app/guilds/:guild/commands']);
    const put = reqs[0]!;
    expect(put.params).toMatchObject({ app: discord.applicationId, guild: guildId });
    expect(put.headers.authorization).toBe(`Bot ${discord.botToken}`);
    expect(put.status).toBe(200);
    expectCommandSet(put.body);
    expect(discord.commands(guildId).map((c) => (c as { name: string }).name).sort()).toEqual(expectedNames);
    // The bulk PUT (the message command with it) and the fake's answer, as Discord's OpenAPI spec has them.
    const problems = checkAgainstSpec(discord.requests);
    expect(problems, formatProblems(problems)).toEqual([]);
    expect(discord.commands()).toEqual([]);

    expect(run.stdout).toContain(`Registered ${expectedNames.length} command(s)`);
    expect(run.stdout).toContain(guildId);
    for (const name of registry.commands.keys()) expect(run.stdout).toContain(`/${name}`);
    expect(run.stdout).toContain('"Make 3D model" (message menu)');
    expect(run.stderr.trim()).toBe('');
  });

  it('without DISCORD_GUILD_ID: one bulk PUT to the global route', async () => {
    const run = await npmRun('deploy-commands', env());
    expect(run.code, run.lines.join('\n')).toBe(0);

    const reqs = apiRequests();
    expect(reqs.map((r) => `${r.method} ${r.route}`)).toEqual(['PUT /applications/:app/commands']);
    expect(reqs[0]!.params.app).toBe(discord.applicationId);
    expectCommandSet(reqs[0]!.body);
    expect(discord.commands().length).toBe(expectedNames.length);
    expect(run.stdout).toContain(`Registered ${expectedNames.length} command(s) globally`);
  });

  it('a missing DISCORD_APPLICATION_ID: exit 1, one line naming it, no request', async () => {
    const run = await npmRun('deploy-commands', env({ DISCORD_APPLICATION_ID: '' }));
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toContain('DISCORD_APPLICATION_ID');
    expect(run.lines.join('\n')).not.toMatch(/^\s+at /m);
    expect(apiRequests()).toEqual([]);
  });

  it('Discord refusing the PUT: exit 1 with Discord’s reason, no stack trace', async () => {
    discord.faults.missingAccess({ method: 'PUT' });
    const run = await npmRun('deploy-commands', env());
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(/Registering commands failed: .*Missing Access/);
    expect(run.lines.join('\n')).not.toMatch(/^\s+at /m);
    expect(discord.commands()).toEqual([]);
  });
});

describe('npm run deploy-commands: errors are scrubbed', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await FakeDiscord.start({ guilds: 1 });
  });
  afterEach(async () => {
    await discord.close();
  });

  it('Discord’s refusal quoting the bot token and the DMXAPI key (raw and URL-encoded) prints neither', async () => {
    const key = 'sk-deploy+SECRET/key=0123456789';
    discord.faults.add({
      method: 'PUT',
      status: 400,
      body: { message: `Bad request for token ${discord.botToken} and ${key} (?k=${encodeURIComponent(key)})`, code: 0 },
    });
    const run = await npmRun('deploy-commands', {
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_TOKEN: discord.botToken,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_GUILD_ID: '',
      DMXAPI_KEY: key,
    });
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(/^Registering commands failed: .*Bad request for token \[REDACTED\] and \[REDACTED\] \(\?k=\[REDACTED\]\)/);
    const all = `${run.stdout}\n${run.stderr}`;
    expect(all).not.toContain(discord.botToken);
    expect(all).not.toContain('SECRET');
  });
});

describe('npm start with bad configuration: one line naming the variable, exit 1', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  /** A complete configuration (pointing nowhere reachable), changed by `extra`. */
  function startEnv(extra: Record<string, string>): Record<string, string> {
    const tmp = tempDir('model3d-config-');
    cleanups.push(tmp.cleanup);
    return {
      DISCORD_TOKEN: 'fake-token',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
      DMXAPI_KEY: 'sk-dummy',
      DMXAPI_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_PATH: join(tmp.dir, 'bot.sqlite'),
      FILES_DIR: join(tmp.dir, 'files'),
      ...extra,
    };
  }

  it.each([
    ['DISCORD_TOKEN', { DISCORD_TOKEN: '' }, /DISCORD_TOKEN is required/],
    ['DMXAPI_KEY', { DMXAPI_KEY: '' }, /DMXAPI_KEY is required/],
    ['POLL_INTERVAL_MS', { POLL_INTERVAL_MS: '5s' }, /POLL_INTERVAL_MS/],
    ['POLL_INTERVAL_MS', { POLL_INTERVAL_MS: '10' }, /POLL_INTERVAL_MS/],
    ['DISCORD_API_URL', { DISCORD_API_URL: 'not a url' }, /DISCORD_API_URL/],
  ])('%s %o', async (_name, extra, expected) => {
    const run = await npmRun('start', startEnv(extra));
    expect(run.code, run.lines.join('\n')).toBe(1);
    expect(run.lines, run.lines.join('\n')).toHaveLength(1);
    expect(run.lines[0]).toMatch(/^Configuration error: /);
    expect(run.lines[0]).toMatch(expected);
    expect(run.lines.join('\n')).not.toMatch(/^\s+at /m);
  });
});
