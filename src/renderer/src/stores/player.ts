import { defineStore } from 'pinia';
import { ref } from 'vue';

/** What the video element can be asked to do; the stage that owns it registers one. */
export interface PlayerControls {
  seek(frame: number): void;
  play(): void;
  pause(): void;
  setRate(rate: number): void;
}

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4] as const;

/**
 * The player's state. `frame` is always the frame whose picture is on screen, as the video reported it
 * (requestVideoFrameCallback's media time), never a guess from currentTime.
 */
export const usePlayerStore = defineStore('player', () => {
  const frame = ref(0);
  const frameCount = ref(0);
  const fps = ref(25);
  const playing = ref(false);
  const speed = ref(1);
  /** A marked range of frames: relabelling with Shift applies to it, and playback can loop over it. */
  const range = ref<{ from: number; to: number } | null>(null);
  const looping = ref(false);
  /** The frame a seek asked for, until it is on screen: steps pressed quickly count from it, so none is lost. */
  const requested = ref<number | null>(null);
  let controls: PlayerControls | null = null;

  /** A new clip: nothing carries over from the last one (a range, a pending seek, playback). */
  function reset(count: number, rate: number): void {
    frame.value = 0;
    frameCount.value = count;
    fps.value = rate;
    playing.value = false;
    range.value = null;
    looping.value = false;
    requested.value = null;
  }

  function attach(next: PlayerControls | null): void {
    controls = next;
  }

  function clamp(target: number): number {
    return Math.max(0, Math.min(frameCount.value - 1, Math.round(target)));
  }

  function seek(target: number): void {
    if (playing.value) pause();
    const to = clamp(target);
    requested.value = to === frame.value ? null : to;
    controls?.seek(to);
  }

  const step = (delta: number) => seek((requested.value ?? frame.value) + delta);

  function play(): void {
    if (!controls || frameCount.value === 0) return;
    requested.value = null;
    playing.value = true;
    controls.play();
  }

  function pause(): void {
    playing.value = false;
    controls?.pause();
  }

  const toggle = () => (playing.value ? pause() : play());

  function changeSpeed(direction: 1 | -1): void {
    const index = SPEEDS.indexOf(speed.value as (typeof SPEEDS)[number]);
    speed.value = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index + direction))]!;
    controls?.setRate(speed.value);
  }

  function markRange(edge: 'from' | 'to'): void {
    const current = range.value ?? { from: frame.value, to: frame.value };
    const next = { ...current, [edge]: frame.value };
    range.value = next.from <= next.to ? next : { from: next.to, to: next.from };
  }

  /** Called by the stage for every frame presented: keeps playback inside the loop. */
  function presented(shown: number): void {
    frame.value = shown;
    if (shown === requested.value) requested.value = null;
    if (playing.value && looping.value && range.value && shown >= range.value.to) controls?.seek(range.value.from);
  }

  return {
    frame,
    requested,
    frameCount,
    fps,
    playing,
    speed,
    range,
    looping,
    reset,
    attach,
    seek,
    step,
    play,
    pause,
    toggle,
    changeSpeed,
    markRange,
    presented,
  };
});
