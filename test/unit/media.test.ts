import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { fileResponse, parseRange } from '../../src/core/media/file-response';
import { MediaRoots } from '../../src/core/media/media-roots';
import { serveMedia } from '../../src/core/media/serve-media';
import { encodeMediaPath } from '../../src/shared/media-url';
import { useTempDirs } from '../support/temp-dir';

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-10', { start: 990, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-2', null],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
    [undefined, null],
  ])('%s of 1000 bytes -> %j', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe('media serving', () => {
  const tempDir = useTempDirs();

  async function project() {
    const root = await realpath(await tempDir());
    const file = join(root, 'clip.mp4');
    await writeFile(file, Buffer.from('0123456789'));
    const roots = new MediaRoots();
    roots.add(root);
    return { root, file, roots };
  }

  it('answers a Range request with 206 and exactly those bytes', async () => {
    const { file } = await project();
    const response = await fileResponse(file, 'GET', 'bytes=2-5');
    expect(response.status).toBe(206);
    expect(response.headers).toMatchObject({ 'Content-Range': 'bytes 2-5/10', 'Content-Length': '4', 'Accept-Ranges': 'bytes', 'Content-Type': 'video/mp4' });
    expect(await text(response.body!)).toBe('2345');
  });

  it('answers without Range with the whole file, and HEAD with no body', async () => {
    const { file } = await project();
    const whole = await fileResponse(file, 'GET', null);
    expect(whole.status).toBe(200);
    expect(await text(whole.body!)).toBe('0123456789');
    const head = await fileResponse(file, 'HEAD', 'bytes=0-1');
    expect([head.status, head.body, head.headers['Content-Length']]).toEqual([206, null, '2']);
  });

  it('turns a file that vanished before it was opened into not-found, not a crash', async () => {
    const { root } = await project();
    await expect(fileResponse(join(root, 'gone.mp4'), 'GET', null)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const { file } = await project();
    const response = await fileResponse(file, 'GET', 'bytes=10-');
    expect(response.status).toBe(416);
    expect(response.headers['Content-Range']).toBe('bytes */10');
  });

  it('refuses paths outside the roots, through .. and through symlinks', async () => {
    const { root, roots } = await project();
    const outside = await realpath(await tempDir());
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await mkdir(join(root, 'sub'));
    // Climbing out with .. names the real secret file, so only the root check can refuse it.
    const climbing = `${root}/sub/../${relative(root, join(outside, 'secret.txt'))}`;
    for (const path of [join(outside, 'secret.txt'), climbing, join(root, 'link.txt'), join(outside, 'missing.txt'), 'relative/clip.mp4']) {
      await expect(roots.resolve(path), path).rejects.toMatchObject({ code: 'forbidden-path' });
    }
    await expect(roots.resolve(join(root, 'missing.mp4'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('serves a file whose name merely starts with two dots', async () => {
    const { root, roots } = await project();
    await writeFile(join(root, '..clip.mp4'), 'x');
    expect(await roots.resolve(join(root, '..clip.mp4'))).toBe(join(root, '..clip.mp4'));
  });

  it('marks media responses so a browser never runs them as pages', async () => {
    const { file, roots } = await project();
    const response = await serveMedia(roots, encodeMediaPath(file), 'HEAD', null);
    expect(response.headers).toMatchObject({ 'Content-Security-Policy': 'sandbox', 'X-Content-Type-Options': 'nosniff' });
  });

  it('maps refusals to HTTP statuses with the error as JSON', async () => {
    const { root, file, roots } = await project();
    const ok = await serveMedia(roots, encodeMediaPath(file), 'GET', 'bytes=0-0');
    expect(ok.status).toBe(206);
    const forbidden = await serveMedia(roots, encodeMediaPath('/etc/passwd'), 'GET', null);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(await text(forbidden.body!))).toMatchObject({ error: { code: 'forbidden-path' } });
    expect((await serveMedia(roots, encodeMediaPath(join(root, 'nope.mp4')), 'GET', null)).status).toBe(404);
    expect((await serveMedia(roots, encodeMediaPath(root), 'GET', null)).status).toBe(404);
    expect((await serveMedia(roots, '%E0%A4%A', 'GET', null)).status).toBe(400);
    expect((await serveMedia(roots, encodeMediaPath(file), 'POST', null)).status).toBe(400);
  });
});
