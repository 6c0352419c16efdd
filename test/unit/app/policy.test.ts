// The rules of the window, as plain functions: which URLs are ours, which links may open in the
// user's browser, which permissions the page gets, the CSP, the menu, and which files the app://
// protocol and the bridge serve.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META, SECURITY_HEADERS } from '../../../src-main/shell/content-policy.js';
import { appMenuTemplate } from '../../../src-main/app/menu.js';
import { APP_ENTRY_URL, externalLink, isAppUrl } from '../../../src-main/app/origin.js';
import { type PermissionRequestFacts, allowPermissionCheck, allowPermissionRequest } from '../../../src-main/app/permissions.js';
import { readRendererFile } from '../../../src-main/shell/renderer-files.js';

describe('origin', () => {
  it('knows our own page', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://curvekeep/index.html#/keys?x=1')).toBe(true);
    expect(isAppUrl('app://curvekeep')).toBe(true);
  });

  it.each(['https://curvekeep/', 'file:///index.html', 'app://evil/index.html', 'app://curvekeep.evil/', 'app://user@curvekeep/', 'app://curvekeep:80/', 'javascript:alert(1)', '', 'app:curvekeep'])(
    'does not take %j for our page',
    (url) => expect(isAppUrl(url)).toBe(false),
  );

  it('opens only plain https links outside', () => {
    expect(externalLink('https://zeromq.org/docs/')).toBe('https://zeromq.org/docs/');
    for (const url of ['http://zeromq.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@host/', 'mailto:a@b.c', 'ms-settings:', 'not a url', 'app://curvekeep/']) {
      expect(externalLink(url), url).toBeNull();
    }
  });
});

describe('permissions', () => {
  const camera = { permission: 'media', requestingUrl: APP_ENTRY_URL, isMainFrame: true, mediaTypes: ['video'] };

  it('grants the camera to our page', () => {
    expect(allowPermissionRequest(camera)).toBe(true);
    expect(allowPermissionCheck({ permission: 'media', requestingOrigin: 'app://curvekeep', isMainFrame: true, mediaType: 'video', requestingUrl: APP_ENTRY_URL })).toBe(true);
  });

  it.each<[string, PermissionRequestFacts]>([
    ['the microphone', { ...camera, mediaTypes: ['audio'] }],
    ['camera and microphone together', { ...camera, mediaTypes: ['video', 'audio'] }],
    ['media without saying what', { ...camera, mediaTypes: [] }],
    ['media without types', { ...camera, mediaTypes: undefined }],
    ['a sub-frame', { ...camera, isMainFrame: false }],
    ['another origin', { ...camera, requestingUrl: 'https://evil.example/' }],
    ['a file:// page', { ...camera, requestingUrl: 'file:///tmp/x.html' }],
    ...['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'openExternal', 'fullscreen', 'hid', 'usb', 'serial', 'midiSysex', 'pointerLock', 'unknown'].map(
      (permission): [string, PermissionRequestFacts] => [permission, { ...camera, permission }],
    ),
  ])('denies %s', (_what, facts) => {
    expect(allowPermissionRequest(facts)).toBe(false);
  });

  it.each([
    { permission: 'media', requestingOrigin: 'app://curvekeep', isMainFrame: true, mediaType: 'audio' },
    { permission: 'media', requestingOrigin: 'app://curvekeep', isMainFrame: true, mediaType: 'unknown' },
    { permission: 'media', requestingOrigin: 'app://curvekeep', isMainFrame: false, mediaType: 'video' },
    { permission: 'media', requestingOrigin: 'https://evil.example', isMainFrame: true, mediaType: 'video' },
    { permission: 'media', requestingOrigin: 'app://curvekeep', isMainFrame: true, mediaType: 'video', requestingUrl: 'https://evil.example/' },
    { permission: 'geolocation', requestingOrigin: 'app://curvekeep', isMainFrame: true },
    { permission: 'clipboard-read', requestingOrigin: 'app://curvekeep', isMainFrame: true },
  ])('denies the check %j', (facts) => {
    expect(allowPermissionCheck(facts)).toBe(false);
  });
});

describe('content security policy', () => {
  const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

  it('is the strict policy, with nothing unsafe', () => {
    const policy = directives(CONTENT_SECURITY_POLICY);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy.get('media-src')).toEqual(["'self'", 'mediastream:', 'blob:']);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:|wasm-eval|strict-dynamic/);
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('has a meta-tag form that leaves out only frame-ancestors', () => {
    const meta = directives(CONTENT_SECURITY_POLICY_META);
    const full = directives(CONTENT_SECURITY_POLICY);
    full.delete('frame-ancestors');
    expect(meta).toEqual(full);
  });
});

describe('menu', () => {
  type Item = { role?: string; label?: string; submenu?: Item[] };
  const roles = (items: ReadonlyArray<Item>): string[] => items.flatMap((item) => [...(item.role ? [item.role] : []), ...roles(item.submenu ?? [])]);
  const build = (isPackaged: boolean, platform: NodeJS.Platform) =>
    appMenuTemplate({ appName: 'Curvekeep', isPackaged, platform, openDataFolder: () => undefined, showAbout: () => undefined }) as Item[];

  it('has File, Edit, View and Help', () => {
    expect(build(true, 'linux').map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    expect(build(true, 'darwin').map((m) => m.label)).toEqual(['Curvekeep', 'File', 'Edit', 'View', 'Help']);
  });

  it('offers developer tools in development builds only', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(roles(build(true, platform)).map((r) => r.toLowerCase())).not.toContain('toggledevtools');
      expect(roles(build(false, platform))).toContain('toggleDevTools');
    }
  });
});

describe('renderer files', () => {
  let base: string;
  let root: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'curvekeep-renderer-'));
    root = join(base, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Curvekeep</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(root, '.env'), 'SECRET=1');
    writeFileSync(join(root, 'assets', 'tool.exe'), 'MZ');
    writeFileSync(join(base, 'outside.js'), 'stolen()');
    symlinkSync(join(base, 'outside.js'), join(root, 'assets', 'link.js'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('serves files with their types, and index.html for routes', async () => {
    expect(await readRendererFile(root, '/assets/app.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8' });
    expect(await readRendererFile(root, '/assets/app.css')).toMatchObject({ contentType: 'text/css; charset=utf-8' });
    for (const route of ['/', '/index.html', '/keys', '/keys/gateway-07']) {
      const file = await readRendererFile(root, route);
      expect(file?.body.toString(), route).toContain('<title>Curvekeep</title>');
    }
  });

  it('answers a content-hashed asset from memory after its first read, index.html from disk each time', async () => {
    const asset = join(root, 'assets', 'KeysView-Ab12Cd_4.js');
    writeFileSync(asset, 'export const view = 1;');
    expect((await readRendererFile(root, '/assets/KeysView-Ab12Cd_4.js'))?.body.toString()).toBe('export const view = 1;');
    rmSync(asset);
    expect((await readRendererFile(root, '/assets/KeysView-Ab12Cd_4.js'))?.body.toString()).toBe('export const view = 1;');

    const index = join(root, 'index.html');
    const before = readFileSync(index, 'utf8');
    writeFileSync(index, '<!doctype html><title>Curvekeep</title><!-- rebuilt -->');
    try {
      expect((await readRendererFile(root, '/'))?.body.toString()).toContain('rebuilt');
    } finally {
      writeFileSync(index, before);
    }
  });

  it('never caches a hashed-looking name that leads out of the folder', async () => {
    symlinkSync(join(base, 'outside.js'), join(root, 'assets', 'stolen-Ab12Cd34.js'));
    expect(await readRendererFile(root, '/assets/stolen-Ab12Cd34.js')).toBeNull();
    expect(await readRendererFile(root, '/assets/stolen-Ab12Cd34.js')).toBeNull();
  });

  it.each(['/../outside.js', '/assets/../../outside.js', '/%2e%2e/outside.js', '/assets/%2E%2E%2F%2E%2E%2Foutside.js', '/..%5coutside.js', '/.env', '/assets/link.js', '/assets/tool.exe', '/missing.js', '/%E0%A4%A', '/assets/app.js%00.css', 'assets/app.js'])(
    'refuses %j',
    async (path) => {
      expect(await readRendererFile(root, path)).toBeNull();
    },
  );
});
