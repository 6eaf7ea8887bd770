// The annotation canvas's gestures, as cvat-canvas has them: the canvas is in one mode at a time (the
// gesture under way), the table in canvas/modes.ts says what a press, the wheel or N may start in it,
// and what a gesture ends in is emitted through StageGestureEvents. Also the zoom and pan they change.

import { computed, reactive, ref, shallowRef, type Ref } from 'vue';
import type { BoxGeometry } from '../../../shared/annotations';
import { boxAtPoint, boxFromCorners, handleAt, moveBox, resizeBox, snapToFrame, type Handle, type Point } from '../canvas/geometry';
import { MODE_RULES, type CanvasMode } from '../canvas/modes';
import type { BoxInFrame } from '../stores/annotations';

export interface Size {
  width: number;
  height: number;
}

/** What the canvas emits when a gesture ends. */
export interface StageGestureEvents {
  /** A new box was drawn on `frame`, at least 2 video pixels wide and high. */
  drawn(frame: number, box: BoxGeometry): void;
  /** A box was drawn smaller than that: nothing is added. */
  tooSmall(): void;
  /** A box was moved or resized on `frame`, and it did change. */
  moved(trackId: number, frame: number, box: BoxGeometry): void;
}

export interface StageInput {
  /** The stage's size in CSS pixels (reactive). */
  stage: Size;
  /** The frame's size in video pixels. */
  frameSize(): Size;
  /** The frame on screen. */
  frame(): number;
  /** Its boxes, in drawing order. */
  boxes(): BoxInFrame[];
  selectedTrackId: Ref<number | null>;
  /** An edit starts on a still frame. */
  stopPlayback(): void;
}

/** A pointer on the stage, in CSS pixels from its top-left corner. */
export interface StagePointer extends Point {
  button: number;
}

/** The gesture under way; its frame is the one it began on, even if another frame is shown before it ends. */
type Gesture =
  | { mode: 'panning'; start: Point; pan: Point }
  | { mode: 'drawing'; start: Point; frame: number }
  | { mode: 'dragging'; start: Point; frame: number; trackId: number; original: BoxGeometry }
  | { mode: 'resizing'; frame: number; trackId: number; original: BoxGeometry; handle: Handle };

/** Edges pull onto the frame's edge within this many CSS pixels. */
const SNAP_PX = 6;
/** A press this close to a handle, in CSS pixels, takes it. */
const HANDLE_PX = 5;
const MAX_ZOOM = 12;

export function useStageGestures(input: StageInput, emit: StageGestureEvents) {
  const view = reactive({ zoom: 1, panX: 0, panY: 0 });
  const gesture = shallowRef<Gesture | null>(null);
  const mode = computed<CanvasMode>(() => gesture.value?.mode ?? 'idle');
  /** N was pressed: the next press on the frame draws a box. */
  const drawArmed = ref(false);
  /** The box being moved, resized or drawn, before it is committed. */
  const draft = ref<BoxGeometry | null>(null);

  /** Video pixels to CSS pixels: fitted to the stage, times the zoom. */
  const scale = computed(() => {
    const frame = input.frameSize();
    return input.stage.width && frame.width ? Math.min(input.stage.width / frame.width, input.stage.height / frame.height) * view.zoom : 1;
  });
  /** Where the frame's top-left corner sits in the stage, in CSS pixels. */
  const origin = computed<Point>(() => {
    const frame = input.frameSize();
    return { x: (input.stage.width - frame.width * scale.value) / 2 + view.panX, y: (input.stage.height - frame.height * scale.value) / 2 + view.panY };
  });
  /** The box being moved or resized, where the pointer has it. */
  const editing = computed(() => {
    const active = gesture.value;
    return draft.value && (active?.mode === 'dragging' || active?.mode === 'resizing') ? { trackId: active.trackId, box: draft.value } : null;
  });
  /** The new box being drawn. */
  const drawing = computed(() => (gesture.value?.mode === 'drawing' ? draft.value : null));

  const toVideo = (at: Point): Point => ({ x: (at.x - origin.value.x) / scale.value, y: (at.y - origin.value.y) / scale.value });

  function setGesture(next: Gesture | null, box: BoxGeometry | null = null): void {
    gesture.value = next;
    draft.value = box;
  }

  function pointerDown(pointer: StagePointer): void {
    const rules = MODE_RULES[mode.value];
    const point = toVideo(pointer);
    if (pointer.button === 1 && rules.view) {
      setGesture({ mode: 'panning', start: { x: pointer.x, y: pointer.y }, pan: { x: view.panX, y: view.panY } });
      return;
    }
    if (pointer.button !== 0) return;
    input.stopPlayback();
    const frame = input.frame();
    if (drawArmed.value) {
      drawArmed.value = false;
      setGesture({ mode: 'drawing', start: point, frame }, boxFromCorners(point, point));
      return;
    }
    const boxes = input.boxes();
    const selected = boxes.find((entry) => entry.trackId === input.selectedTrackId.value);
    const handle = selected && rules.edit ? handleAt(selected.box, point, HANDLE_PX / scale.value) : null;
    if (selected && handle) {
      setGesture({ mode: 'resizing', frame, handle, original: selected.box, trackId: selected.trackId });
      return;
    }
    if (!rules.select) return;
    // A press on the frame selects the box under it, or none.
    const hit = boxAtPoint(boxes, point);
    input.selectedTrackId.value = hit?.trackId ?? null;
    if (hit && rules.edit) setGesture({ mode: 'dragging', start: point, frame, original: hit.box, trackId: hit.trackId });
  }

  function pointerMove(pointer: Point): void {
    const active = gesture.value;
    if (!active) return;
    if (active.mode === 'panning') {
      view.panX = active.pan.x + pointer.x - active.start.x;
      view.panY = active.pan.y + pointer.y - active.start.y;
      return;
    }
    const point = toVideo(pointer);
    const raw =
      active.mode === 'drawing'
        ? boxFromCorners(active.start, point)
        : active.mode === 'dragging'
          ? moveBox(active.original, point.x - active.start.x, point.y - active.start.y)
          : resizeBox(active.original, active.handle, point);
    const frame = input.frameSize();
    draft.value = snapToFrame(raw, frame.width, frame.height, SNAP_PX / scale.value);
  }

  function pointerUp(): void {
    const active = gesture.value;
    const box = draft.value;
    setGesture(null);
    if (!active || !box) return;
    if (active.mode === 'drawing') {
      if (box.xbr - box.xtl >= 2 && box.ybr - box.ytl >= 2) emit.drawn(active.frame, box);
      else emit.tooSmall();
    } else if (active.mode !== 'panning' && changed(active.original, box)) {
      emit.moved(active.trackId, active.frame, box);
    }
  }

  /** Zooms around the pointer; false when the mode does not allow it (the page may scroll then). */
  function wheel(pointer: Point, deltaY: number): boolean {
    if (!MODE_RULES[mode.value].view) return false;
    // The video point under the pointer keeps its place on screen, so a small face stays under it (the
    // frame is centred in the stage, hence the frame-centre terms).
    const point = toVideo(pointer);
    const zoom = Math.max(1, Math.min(MAX_ZOOM, view.zoom * (deltaY < 0 ? 1.2 : 1 / 1.2)));
    const oldScale = scale.value;
    view.zoom = zoom;
    const change = scale.value - oldScale;
    const frame = input.frameSize();
    view.panX += (frame.width / 2 - point.x) * change;
    view.panY += (frame.height / 2 - point.y) * change;
    if (zoom === 1) resetView();
    return true;
  }

  function resetView(): void {
    Object.assign(view, { zoom: 1, panX: 0, panY: 0 });
  }

  /** N: the next drag on the frame draws a new box (pressed again, or Escape, it does not). */
  function armDrawing(): void {
    if (!MODE_RULES[mode.value].draw) return;
    input.stopPlayback();
    drawArmed.value = !drawArmed.value;
  }

  /** Escape: stops drawing, or drops a move or resize under way. */
  function cancel(): void {
    drawArmed.value = false;
    setGesture(null);
  }

  return { scale, origin, mode, drawArmed, editing, drawing, pointerDown, pointerMove, pointerUp, wheel, resetView, armDrawing, cancel };
}

function changed(a: BoxGeometry, b: BoxGeometry): boolean {
  return Math.abs(a.xtl - b.xtl) + Math.abs(a.ytl - b.ytl) + Math.abs(a.xbr - b.xbr) + Math.abs(a.ybr - b.ybr) > 0.5;
}
