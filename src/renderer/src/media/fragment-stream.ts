// Plays an editing proxy through MediaSource, one fragment (one keyframe's frames) at a time. A seek
// fetches the fragment that holds the frame asked for, and only then moves the video there: a media
// player seeking in a large file reads far more than that, and on an hour of video the reading alone
// costs a tenth of a second. Playback fetches a few seconds ahead; fragments far from the playhead are
// dropped, so memory stays bounded however long the video.

import type { FragmentIndex } from '../../../shared/project';

/** Fragments kept in the buffer (about a minute and a half at 25 fps, 10 frames each). */
const KEPT_FRAGMENTS = 240;
/** Seconds of video fetched ahead of the playhead while playing, at 1x. */
const AHEAD_SECONDS = 3;

export class FragmentStream {
  /** For the video element's src. */
  readonly url: string;
  private readonly source = new MediaSource();
  private readonly ready: Promise<SourceBuffer>;
  /** Fragments in the buffer, and fragments being fetched or appended. */
  private readonly buffered = new Set<number>();
  private readonly loading = new Map<number, Promise<void>>();
  /** SourceBuffer takes one append or removal at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fileUrl: string,
    private readonly index: FragmentIndex,
    private readonly frameCount: number,
    private readonly fps: number,
  ) {
    this.url = URL.createObjectURL(this.source);
    // The source opens once a video element takes the URL.
    this.ready = new Promise<SourceBuffer>((resolve) => this.source.addEventListener('sourceopen', () => resolve(this.open()), { once: true }));
  }

  /** Whether this window can stream fragments at all. */
  static supported(index: FragmentIndex): boolean {
    return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(`video/mp4; codecs="${index.codec}"`);
  }

  /** Resolves once the fragment holding `frame` is in the buffer. */
  async ensure(frame: number): Promise<void> {
    await this.load(this.fragmentOf(frame));
  }

  /** Fetches the fragments a few seconds ahead of `frame`, for playback at `speed`. */
  prefetch(frame: number, speed: number): void {
    const first = this.fragmentOf(frame);
    const last = Math.min(this.index.fragments.length - 1, this.fragmentOf(frame + AHEAD_SECONDS * this.fps * speed));
    for (let k = first; k <= last; k++) void this.load(k).catch(() => {});
  }

  dispose(): void {
    URL.revokeObjectURL(this.url);
  }

  private async open(): Promise<SourceBuffer> {
    const buffer = this.source.addSourceBuffer(`video/mp4; codecs="${this.index.codec}"`);
    this.source.duration = this.frameCount / this.fps;
    await this.append(buffer, await this.fetch(0, this.index.header));
    return buffer;
  }

  private fragmentOf(frame: number): number {
    return Math.max(0, Math.min(this.index.fragments.length - 1, Math.floor(frame / this.index.framesPerFragment)));
  }

  private load(k: number): Promise<void> {
    if (this.buffered.has(k)) return Promise.resolve();
    let loading = this.loading.get(k);
    if (!loading) {
      const end = this.index.fragments[k + 1] ?? this.index.end;
      loading = Promise.all([this.ready, this.fetch(this.index.fragments[k]!, end)])
        .then(async ([buffer, bytes]) => {
          await this.append(buffer, bytes);
          this.buffered.add(k);
          await this.trim(buffer, k);
          await this.endIfWhole(buffer);
        })
        .finally(() => this.loading.delete(k));
      this.loading.set(k, loading);
    }
    return loading;
  }

  /**
   * Ends the stream while its last fragment is in the buffer, so playback ends at the last frame rather
   * than waits there for more. Every append or removal reopens an ended stream, and fragments arrive in
   * any order, so this follows each of them, not only the last fragment's.
   */
  private endIfWhole(buffer: SourceBuffer): Promise<void> {
    if (!this.buffered.has(this.index.fragments.length - 1)) return Promise.resolve();
    return this.run(buffer, () => {
      if (this.source.readyState === 'open') this.source.endOfStream();
    });
  }

  private async fetch(start: number, end: number): Promise<ArrayBuffer> {
    const response = await fetch(this.fileUrl, { headers: { Range: `bytes=${start}-${end - 1}` } });
    if (response.status !== 206) throw new Error(`The editing proxy could not be read (HTTP ${response.status})`);
    return response.arrayBuffer();
  }

  private append(buffer: SourceBuffer, bytes: ArrayBuffer): Promise<void> {
    return this.run(buffer, () => buffer.appendBuffer(bytes));
  }

  /** Drops the fragments furthest from `around` once more than KEPT_FRAGMENTS are buffered. */
  private async trim(buffer: SourceBuffer, around: number): Promise<void> {
    if (this.buffered.size <= KEPT_FRAGMENTS) return;
    const furthest = [...this.buffered].sort((a, b) => Math.abs(b - around) - Math.abs(a - around)).slice(0, this.buffered.size - (3 * KEPT_FRAGMENTS) / 4);
    const seconds = this.index.framesPerFragment / this.fps;
    for (const k of furthest) {
      this.buffered.delete(k);
      await this.run(buffer, () => buffer.remove(k * seconds, (k + 1) * seconds));
    }
  }

  /** Runs one SourceBuffer operation after the ones before it, resolving when it has finished. */
  private run(buffer: SourceBuffer, operation: () => void): Promise<void> {
    const done = this.queue.then(
      () =>
        new Promise<void>((resolve, reject) => {
          const cleanup = () => {
            buffer.removeEventListener('updateend', finish);
            buffer.removeEventListener('error', fail);
          };
          const finish = () => {
            cleanup();
            resolve();
          };
          const fail = () => {
            cleanup();
            reject(new Error('The editing proxy could not be decoded'));
          };
          buffer.addEventListener('updateend', finish);
          buffer.addEventListener('error', fail);
          try {
            operation();
          } catch (error) {
            cleanup();
            return reject(error instanceof Error ? error : new Error(String(error)));
          }
          // Ending the stream is done at once; appends and removals end with updateend.
          if (!buffer.updating) finish();
        }),
    );
    this.queue = done.catch(() => {});
    return done;
  }
}
