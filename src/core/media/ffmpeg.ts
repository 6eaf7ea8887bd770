// The ffmpeg binary shipped in @ffmpeg-installer/ffmpeg, and a raw-frame encoder on top of it.

import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { sep } from 'node:path';
import { WorkbenchError } from '../../shared/errors';

const require = createRequire(import.meta.url);

/** The bundled ffmpeg's release (@ffmpeg-installer ships a 4.1 snapshot). */
const BUNDLED_VERSION = [4, 1] as const;
let chosen: string | null = null;

/**
 * The ffmpeg to use: the system's when it is newer than the bundled one and can encode H.264 (the sample
 * clip needs libx264), otherwise the bundled one, which in a packaged app sits unpacked beside the asar
 * archive (see build/). MASKBENCH_FFMPEG names one outright.
 */
export function ffmpegPath(): string {
  chosen ??= process.env.MASKBENCH_FFMPEG || systemFfmpeg() || bundledFfmpeg();
  return chosen;
}

function bundledFfmpeg(): string {
  const { path } = require('@ffmpeg-installer/ffmpeg') as { path: string };
  return path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
}

function systemFfmpeg(): string | null {
  try {
    const version = execFileSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    if (!isNewer(version)) return null;
    const encoders = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return encoders.includes('libx264') ? 'ffmpeg' : null;
  } catch {
    return null;
  }
}

/** Whether `ffmpeg -version` output names a release newer than the bundled one ("ffmpeg version 5.1.6-0+deb12u1"). */
export function isNewer(versionOutput: string): boolean {
  const match = /ffmpeg version n?(\d+)\.(\d+)/.exec(versionOutput);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > BUNDLED_VERSION[0] || (major === BUNDLED_VERSION[0] && minor > BUNDLED_VERSION[1]);
}

export interface EncoderOutput {
  /** ffmpeg output options and the file (or pattern) they write. */
  args: string[];
}

export interface RawVideoEncoder {
  /** Queues one RGB frame; resolves when ffmpeg is ready for more. The buffer must not be reused. */
  write(frame: Buffer): Promise<void>;
  /** Ends the input and waits for ffmpeg to finish its files. */
  finish(): Promise<void>;
  /** Stops ffmpeg at once (on cancel or error); its files are then incomplete. */
  kill(): void;
}

/** Starts ffmpeg reading raw RGB frames of one size from its standard input. */
export function startRawVideoEncoder(width: number, height: number, fps: number, outputs: EncoderOutput[]): RawVideoEncoder {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(fps),
    '-i',
    'pipe:0',
  ];
  const child = spawn(ffmpegPath(), [...args, ...outputs.flatMap((output) => output.args)], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const failure = (code: number | null) => new WorkbenchError('io-error', `ffmpeg failed (exit code ${code}): ${stderr.trim() || 'no message'}`);
  // A closed pipe means ffmpeg died; the exit code and its message say why, so the pipe error itself is dropped.
  child.stdin.on('error', () => {});

  return {
    async write(frame) {
      if (child.exitCode !== null) throw failure(child.exitCode);
      if (child.stdin.write(frame)) return;
      try {
        await Promise.race([once(child.stdin, 'drain'), exited]);
      } catch {
        // The pipe broke because ffmpeg stopped: its exit code and message say why.
        throw failure(await exited);
      }
      if (child.exitCode !== null) throw failure(child.exitCode);
    },
    async finish() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw failure(code);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
