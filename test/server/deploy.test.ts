/**
 * Deployment without a Docker engine: docker-compose.yml and the Dockerfile are checked for what
 * they promise (Redis with a volume and a health check, serve and worker configured by the
 * environment, a mounted recipes folder, a multi-stage build running as a non-root user), and the
 * very commands the containers run are started here as child processes — `node --import tsx
 * src/cli.ts` standing in for the image's `node bin/kakehashi.js` — against a real Redis.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFeedDocument } from '../../src/feed/parse.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const ROOT = resolve('.');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** `${NAME:-default}` as compose expands it when NAME is unset. */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback);
}

/** The Dockerfile's exec-form instruction of the last stage, e.g. ENTRYPOINT ["node", …]. */
function instruction(name: string): string[] {
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const match = new RegExp(`^${name} (\\[.*\\])\\s*$`, 'm').exec(lastStage);
  return match ? (JSON.parse(match[1] as string) as string[]) : [];
}

describe('docker-compose.yml', () => {
  it('has redis with a volume and a health check, and serve and worker waiting for it', () => {
    const { redis, serve, worker } = compose.services;
    expect(redis?.['image']).toMatch(/^redis:/);
    expect(redis?.['volumes']).toEqual(['redis-data:/data']);
    expect(compose.volumes).toHaveProperty('redis-data');
    expect((redis?.['healthcheck'] as { test: string[] }).test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const service of [serve, worker]) {
      expect(service?.['depends_on']).toEqual(expect.objectContaining({ redis: { condition: 'service_healthy' } }));
      expect((service?.['environment'] as Record<string, string>)['REDIS_URL']).toBe('redis://redis:6379');
      expect((service?.['volumes'] as string[]).map(interpolate)).toContain('./recipes:/app/recipes:ro');
      expect(service?.['build']).toBe('.');
    }
    expect((serve?.['command'] as string[])[0]).toBe('serve');
    expect((worker?.['command'] as string[])[0]).toBe('worker');
    expect((serve?.['ports'] as string[]).map(interpolate)).toEqual(['127.0.0.1:8080:8080']);
    expect(serve?.['environment']).toMatchObject({ KAKEHASHI_ADMIN_TOKEN: '${KAKEHASHI_ADMIN_TOKEN:-}', KAKEHASHI_PORT: '8080' });
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, as the unprivileged node user', () => {
    const stages = dockerfile.match(/^FROM \S+ AS \w+$/gm) ?? [];
    expect(stages).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim AS runtime']);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toContain('COPY --from=build /app/node_modules ./node_modules');
    // The modules copied over are the production ones only.
    expect(dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '))).toContain('npm prune --omit=dev');
    expect(instruction('ENTRYPOINT')).toEqual(['node', 'bin/kakehashi.js']);
    expect(instruction('CMD')[0]).toBe('serve');
    // What the image copies is what `npm run build` and the demo recipe need at run time.
    for (const path of ['bin/kakehashi.js', 'recipes/lifestream.yaml', 'examples', 'tsconfig.build.json', 'package-lock.json']) {
      expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });
});

// ─── The containers' commands, outside Docker ───────────────────────────────────────────────────

interface Child {
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const children: Child[] = [];

/** `node bin/kakehashi.js ARGS` as the image runs it, but from the sources. */
function kakehashi(args: string[], env: Record<string, string | undefined>): Child {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  // Undefined unsets: settings in the test's own environment must not leak into the command.
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const handle = { process: child, output, exited };
  children.push(handle);
  return handle;
}

async function waitFor<T>(what: string, child: Child, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (child.process.exitCode !== null) throw new Error(`${what}: the process exited (${child.process.exitCode}):\n${child.output.join('')}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out; output:\n${child.output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function servingUrl(child: Child): string | undefined {
  for (const line of child.output.join('').split('\n')) {
    if (!line.includes('"kakehashi serving"')) continue;
    return (JSON.parse(line) as { url: string }).url;
  }
  return undefined;
}

async function stop(child: Child): Promise<number | null> {
  child.process.kill('SIGTERM');
  return child.exited;
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
});

describe('kakehashi serve on the demo recipe (what `npm start` runs), as a child process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-serve-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('listens, runs the recipe, serves its feed and the page, and stops cleanly on SIGTERM', async () => {
    const child = kakehashi(
      ['serve', 'recipes/lifestream.yaml', '--port', '0', '--state-dir', join(dir, 'state'), '--output-dir', join(dir, 'out')],
      { KAKEHASHI_HOST: undefined, KAKEHASHI_PORT: undefined, REDIS_URL: undefined, KAKEHASHI_ADMIN_TOKEN: undefined },
    );
    const url = await waitFor('listening', child, () => servingUrl(child));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const feed = await waitFor('feed published', child, async () => {
      const response = await fetch(`${url}/feeds/lifestream.rss`);
      return response.status === 200 ? response.text() : undefined;
    });
    const parsed = await parseFeedDocument(feed, { defaultZone: 'Asia/Tokyo' });
    expect(parsed.title).toBe("taro's lifestream");
    expect(parsed.items).toHaveLength(11);
    const page = await (await fetch(`${url}/`)).text();
    expect(page.match(/<li class="entry"/g)).toHaveLength(11);
    expect((await (await fetch(`${url}/readyz`)).json()) as unknown).toEqual({ ok: true, checks: { store: 'ok', queue: 'ok' } });
    expect(await stop(child)).toBe(0);
    expect(child.output.join('')).toContain('"msg":"stopped"');
  });

  it('refuses a broken recipe with its file and line, before listening', async () => {
    const child = kakehashi(['serve', 'test/server/no-such-recipe.yaml', '--port', '0'], {});
    expect(await child.exited).toBe(2);
    expect(child.output.join('')).toMatch(/no-such-recipe\.yaml:1:1: cannot read recipe: no such file/);
  });
});

describeWithRedis('the compose services’ commands, as child processes', () => {
  const prefix = uniquePrefix('deploy');
  const dir = mkdtempSync(join(tmpdir(), 'kh-compose-'));

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A service's command and environment, with container paths mapped to this checkout and a temp dir. */
  function service(name: string): { args: string[]; env: NodeJS.ProcessEnv } {
    const definition = compose.services[name] as { command: string[]; environment: Record<string, string> };
    const args = definition.command
      .map(interpolate)
      .map((arg) => arg.replace(/^\/app\//, `${ROOT}/`).replace(/^\/data\//, `${dir}/`));
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(definition.environment)) env[key] = interpolate(value);
    // Only the addresses differ outside Docker: our Redis, our own key prefix, any free local port.
    env['REDIS_URL'] = TEST_REDIS_URL;
    if ('KAKEHASHI_HOST' in env) env['KAKEHASHI_HOST'] = '127.0.0.1';
    if ('KAKEHASHI_PORT' in env) env['KAKEHASHI_PORT'] = '0';
    return { args: [...args, '--prefix', prefix], env };
  }

  it('serve (no local workers) and worker deliver the demo recipe together, then stop on SIGTERM', async () => {
    const worker = kakehashi(service('worker').args, service('worker').env);
    await waitFor('worker ready', worker, () => (worker.output.join('').includes('kakehashi worker ready') ? true : undefined));
    const serve = kakehashi(service('serve').args, { ...service('serve').env, KAKEHASHI_ADMIN_TOKEN: 'compose-test-token-0123456789' });
    const url = await waitFor('listening', serve, () => servingUrl(serve));
    // The run publishes, the worker writes the files: the run is over when both are done.
    const status = await waitFor('first run', serve, async () => {
      const body = (await (await fetch(`${url}/status.json`)).json()) as { recipes: Array<{ runs: unknown[] }> };
      return body.recipes[0]?.runs.length ? body : undefined;
    });
    expect(status).toMatchObject({ scheduler: 'bullmq', queue: { kind: 'bullmq' } });
    expect(existsSync(join(dir, 'out', 'lifestream.rss'))).toBe(true);
    const feed = await fetch(`${url}/feeds/lifestream.atom`);
    expect(feed.status).toBe(200);
    expect(readFileSync(join(dir, 'out', 'lifestream.atom'), 'utf8')).toBe(await feed.text());
    const admin = await fetch(`${url}/admin/queues`);
    expect(admin.status).toBe(401);
    const authorized = await fetch(`${url}/admin/queues`, { headers: { authorization: 'Bearer compose-test-token-0123456789' } });
    expect(authorized.status).toBe(200);
    expect(await stop(serve)).toBe(0);
    expect(await stop(worker)).toBe(0);
  }, 90_000);
});
