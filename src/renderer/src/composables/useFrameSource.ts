// Plays the project's media, of either kind, for the player store: a video file, or a folder of image
// frames shown one by one. Either way the player hears of a frame only once it is on screen, so what is
// drawn over the picture always belongs to it.

import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import type { FragmentStream } from '../media/fragment-stream';
import { usePlayerStore, type PlayerControls } from '../stores/player';

export interface FrameSourceInput {
  /** The element that shows a video file, */
  video: Ref<HTMLVideoElement | null>;
  /** or the one that shows a folder's frames. */
  image: Ref<HTMLImageElement | null>;
  /** For a folder of frames, each frame's image; undefined for a video. */
  frameSrc(): ((frame: number) => string) | undefined;
  /** For a video streamed fragment by fragment (an editing proxy), its stream. */
  stream(): FragmentStream | null;
  /** A frame is on screen now. */
  presented(): void;
  error(message: string): void;
}

export function useFrameSource(input: FrameSourceInput) {
  const player = usePlayerStore();
  /** Frame folders: the frame whose image is loading, and the playback clock. */
  let loadingFrame = 0;
  let playTimer: ReturnType<typeof setInterval> | null = null;
  /** Videos: the frame to show again once the element has loaded another file of the same video (the proxy, or back). */
  let resumeAt: number | null = null;
  /** Counts seeks: a streamed fragment that arrives after a later seek does not move the video. */
  let seeks = 0;
  /** The pending frame callback: one at a time. */
  let frameCallback = 0;

  /** The frame number comes from the media time of the frame actually presented, never from currentTime. */
  function presentedVideoFrame(_now: number, metadata: VideoFrameCallbackMetadata): void {
    const shown = Math.round(metadata.mediaTime * player.fps);
    // While the other file loads, its first frame is not the one the annotator was on: it is not reported.
    if (resumeAt === null || shown === resumeAt) {
      resumeAt = null;
      player.presented(shown);
      input.presented();
      if (player.playing) input.stream()?.prefetch(shown, player.speed);
    }
    listenForFrames();
  }

  /** Asks to hear of the next frame presented. A file that failed to load drops the request, so a new file asks again. */
  function listenForFrames(): void {
    const element = input.video.value;
    if (!element) return;
    element.cancelVideoFrameCallback(frameCallback);
    frameCallback = element.requestVideoFrameCallback(presentedVideoFrame);
  }

  /** Moves the video to `target`, once a streamed video has the fragment that holds it. */
  function showVideoFrame(element: HTMLVideoElement, target: number): void {
    // The middle of the frame's interval, so rounding can never land on a neighbour.
    const time = (target + 0.5) / player.fps;
    const stream = input.stream();
    if (!stream) {
      element.currentTime = time;
      return;
    }
    const seek = ++seeks;
    stream
      .ensure(target)
      .then(() => {
        if (seek === seeks) element.currentTime = time;
      })
      .catch((error: Error) => input.error(`${error.message}: show the original instead (the proxy button under the picture)`));
  }

  function videoControls(element: HTMLVideoElement): PlayerControls {
    listenForFrames();
    return {
      seek: (target) => showVideoFrame(element, target),
      play: () => {
        input.stream()?.prefetch(player.frame, player.speed);
        element.play().catch(() => (player.playing = false));
      },
      pause: () => element.pause(),
      setRate: (rate) => (element.playbackRate = rate),
    };
  }

  function showImage(target: number): void {
    loadingFrame = target;
    input.image.value!.src = input.frameSrc()!(target);
  }

  /** Frame folders play on a clock; a frame whose image is still loading holds the next back until it is shown. */
  function playFrames(): void {
    stopFrames();
    playTimer = setInterval(
      () => {
        if (loadingFrame >= player.frameCount - 1) {
          stopFrames();
          player.playing = false;
          return;
        }
        if (input.image.value?.complete) showImage(loadingFrame + 1);
      },
      1000 / (player.fps * player.speed),
    );
  }

  function stopFrames(): void {
    if (playTimer) clearInterval(playTimer);
    playTimer = null;
  }

  const frameControls: PlayerControls = {
    seek: showImage,
    play: playFrames,
    pause: stopFrames,
    setRate: () => {
      if (player.playing) playFrames();
    },
  };

  onMounted(() => {
    if (input.frameSrc()) {
      player.attach(frameControls);
      showImage(0);
    } else {
      player.attach(videoControls(input.video.value!));
    }
  });
  onBeforeUnmount(() => {
    stopFrames();
    player.attach(null);
  });

  /** The media elements' events, for the template. */
  return {
    /** An image loaded: that frame is on screen now. */
    onImageLoad(): void {
      player.presented(loadingFrame);
      input.presented();
    },
    onImageError(): void {
      input.error(`Frame ${loadingFrame} cannot be shown: its image file is missing or unreadable`);
    },
    onVideoError(): void {
      const code = input.video.value?.error?.code;
      resumeAt = null;
      input.error(`This window cannot play the video${code ? ` (media error ${code})` : ''}`);
    },
    /** The element is about to load another file of the same video: the frame on screen stays. */
    onVideoSwitch(): void {
      if (player.playing) player.pause();
      resumeAt = player.requested ?? player.frame;
    },
    /** The other file is loaded: it is shown at the frame the annotator was on (a stream holds no frame until asked). */
    onVideoLoaded(): void {
      const element = input.video.value;
      listenForFrames();
      if (element && (resumeAt !== null || input.stream())) showVideoFrame(element, resumeAt ?? player.frame);
    },
    onVideoEnded(): void {
      player.playing = false;
    },
  };
}
