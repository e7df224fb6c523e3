// Measurement probes: process RSS against a limit with headroom, and route balancing from the
// platform's rendered manifests (static), plus the haproxy-backed measurement when haproxy exists.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOverlay } from '../../harness/platform/deploy.ts';
import { resolveProgramPid } from '../../harness/probes/memory.ts';
import { measure, MemoryProbe, measureBalance, parseMemoryQuantity, readProcessRss, renderHaproxyConfig, routeSettings, sendRequests, spread, startReplicas } from '../../harness/probes/index.ts';
import { which } from '../../harness/targets/exec.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const platform = (commit: string) => path.resolve(repoRoot, '../shared/platform', commit);

describe('memory probe', () => {
  it('samples a live process and passes or fails against limit × headroom', async () => {
    const rss = readProcessRss(process.pid)!;
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    const roomy = new MemoryProbe({ source: { kind: 'pid', pid: process.pid }, limitBytes: rss * 10, intervalMs: 20 });
    const tight = new MemoryProbe({ source: { kind: 'pid', pid: process.pid }, limitBytes: Math.floor(rss / 2), intervalMs: 20 });
    const { results } = await measure([roomy, tight], async () => {
      const hold = Buffer.alloc(8 * 1024 * 1024, 1); // real allocation while sampling
      await new Promise((r) => setTimeout(r, 150));
      return hold.length;
    });
    expect(results[0].status).toBe('passed');
    expect(results[0].values.samples as number).toBeGreaterThanOrEqual(3);
    expect(results[1].status).toBe('failed');
    expect(results[1].reason).toMatch(/exceeds 80% of the/);
  });

  it('a child process: measures it, and reports skipped once it is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 1024 * 1024, 7); console.log("ready"); setTimeout(() => b, 20000)']);
    await new Promise((r) => child.stdout.once('data', r)); // allocated
    const probe = new MemoryProbe({ source: { kind: 'pid', pid: child.pid! }, limitBytes: 512 * 1024 * 1024, intervalMs: 50 });
    await probe.start();
    await new Promise((r) => setTimeout(r, 150));
    await probe.stop();
    const r = probe.collect();
    expect(r.status).toBe('passed');
    expect(r.values.peakBytes as number).toBeGreaterThan(64 * 1024 * 1024);
    child.kill();
    await new Promise((r) => child.once('exit', r));
    const gone = new MemoryProbe({ source: { kind: 'pid', pid: child.pid! }, limitBytes: 1 });
    await gone.start();
    await gone.stop();
    expect(gone.collect()).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no \/proc status/) });
  });

  it('looks through a `sh -c` wrapper to the program it runs', async () => {
    const child = spawn(`${process.execPath} -e "console.log('ready'); setTimeout(() => {}, 20000)"`, { shell: true });
    await new Promise((r) => child.stdout.once('data', r));
    try {
      const leaf = resolveProgramPid(child.pid!);
      expect(leaf).not.toBe(child.pid);
      expect(readFileSync(`/proc/${leaf}/comm`, 'utf8').trim()).toBe('node');
      expect(readProcessRss(child.pid!)!).toBeGreaterThan(20 * 1024 * 1024);
    } finally {
      process.kill(resolveProgramPid(child.pid!));
      child.kill();
    }
  });

  it('parses Kubernetes memory quantities', () => {
    expect(parseMemoryQuantity('512Mi')).toBe(512 * 1024 ** 2);
    expect(parseMemoryQuantity('4Gi')).toBe(4 * 1024 ** 3);
    expect(parseMemoryQuantity('123456Ki')).toBe(123456 * 1024);
    expect(parseMemoryQuantity('1.5G')).toBe(1.5e9);
    expect(() => parseMemoryQuantity('12 MB')).toThrow();
  });
});

describe('route probe', () => {
  it.for(['6b21778', '0b59fe7de'])('static: the production overlay at %s routes frontend round-robin without cookies; kind has no Route', { timeout: 60_000 }, async (commit, ctx) => {
    if (!existsSync(platform(commit))) return ctx.skip(`../shared/platform/${commit} not present`);
    const prod = routeSettings(await renderOverlay(platform(commit), 'production'));
    const frontend = prod.find((r) => r.name === 'frontend-route');
    expect(frontend).toMatchObject({ kind: 'Route', balance: 'roundrobin', disableCookies: true, targetPort: 'dashboard-ui' });
    const kind = routeSettings(await renderOverlay(platform(commit), 'kind'));
    expect(kind.filter((r) => r.kind === 'Route')).toEqual([]);
  });

  it('renders haproxy config from the annotations', () => {
    const rr = renderHaproxyConfig({ balance: 'roundrobin', disableCookies: true }, 9000, [9001, 9002]);
    expect(rr).toContain('balance roundrobin');
    expect(rr).not.toContain('cookie');
    expect(rr).toContain('server r1 127.0.0.1:9002');
    const sticky = renderHaproxyConfig({ balance: 'default', disableCookies: false }, 9000, [9001]);
    expect(sticky).toContain('balance leastconn');
    expect(sticky).toContain('cookie ROUTEID insert');
    expect(sticky).toContain('server r0 127.0.0.1:9001 cookie r0');
  });

  it('loopback replicas answer with their id; spread is measured from counts', async () => {
    const replicas = await startReplicas(3);
    try {
      expect(await sendRequests(replicas.ports[2], 4, true)).toEqual({ r2: 4 });
    } finally {
      await replicas.close();
    }
    expect(spread({ r0: 5, r1: 5, r2: 5 }, 3)).toBe(0);
    expect(spread({ r0: 15 }, 3)).toBe(3);
  });

  it('dynamic: measures spread through haproxy, or skips with the reason', async (ctx) => {
    const settings = { kind: 'Route', name: 'frontend-route', balance: 'roundrobin', disableCookies: true };
    const r = await measureBalance(settings, { replicas: 4, requests: 40 });
    if (!which('haproxy')) {
      expect(r).toMatchObject({ status: 'skipped', reason: expect.stringContaining('haproxy is not on PATH') });
      return ctx.skip(r.reason!);
    }
    expect(r.status).toBe('passed');
    expect(r.values.replicasReachedWithCookies).toBe(4);
    expect(r.values.spreadWithoutCookies).toBeLessThanOrEqual(0.5);
  }, 30_000);
});
