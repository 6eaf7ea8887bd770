// The ffmpeg binary shipped in @ffmpeg-installer/ffmpeg, and a raw-frame encoder on top of it.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { sep } from 'node:path';
import { WorkbenchError } from '../../shared/errors';

const require = createRequire(import.meta.url);

/** The bundled ffmpeg. In a packaged app it sits unpacked beside the asar archive (see build/). */
export function ffmpegPath(): string {
  const { path } = require('@ffmpeg-installer/ffmpeg') as { path: string };
  return path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
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
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0'];
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
