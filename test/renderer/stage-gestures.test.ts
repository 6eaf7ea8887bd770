import { describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import type { CanvasMode } from '../../src/renderer/src/canvas/modes';
import { useStageGestures } from '../../src/renderer/src/composables/useStageGestures';
import type { BoxInFrame } from '../../src/renderer/src/stores/annotations';

const boxIn = (trackId: number, xtl: number, ytl: number, xbr: number, ybr: number): BoxInFrame => ({
  trackId,
  box: { xtl, ytl, xbr, ybr, frame: 0, label: 'MW', occluded: false, truncated: false, keyframe: true, zOrder: 0 },
});

/** A 640×360 frame on a stage of the same size: one CSS pixel per video pixel until zoomed. */
function stage(selected: number | null = null) {
  const frame = ref(5);
  const selectedTrackId = ref<number | null>(selected);
  const stopPlayback = vi.fn();
  const events = { drawn: vi.fn(), tooSmall: vi.fn(), moved: vi.fn() };
  const boxes = [boxIn(1, 100, 100, 200, 200), boxIn(2, 300, 100, 400, 200)];
  const gestures = useStageGestures(
    {
      stage: { width: 640, height: 360 },
      frameSize: () => ({ width: 640, height: 360 }),
      frame: () => frame.value,
      boxes: () => boxes,
      selectedTrackId,
      stopPlayback,
    },
    events,
  );
  return { gestures, frame, selectedTrackId, stopPlayback, events };
}

const left = (x: number, y: number) => ({ button: 0, x, y });
const middle = (x: number, y: number) => ({ button: 1, x, y });

/** A stage in `mode`, put there the way a user would. */
function stageIn(mode: CanvasMode) {
  const made = stage(mode === 'resizing' ? 1 : null);
  const { gestures } = made;
  if (mode === 'drawing') {
    gestures.armDrawing();
    gestures.pointerDown(left(500, 300));
  } else if (mode === 'dragging') gestures.pointerDown(left(150, 150));
  else if (mode === 'resizing') gestures.pointerDown(left(200, 200));
  else if (mode === 'panning') gestures.pointerDown(middle(10, 10));
  expect(gestures.mode.value).toBe(mode);
  return made;
}

describe('the canvas’s gestures', () => {
  // What each mode lets a press, the wheel and N start (cvat-canvas style; canvas/modes.ts).
  const allowed: Record<CanvasMode, { select: boolean; edit: boolean; draw: boolean; view: boolean }> = {
    idle: { select: true, edit: true, draw: true, view: true },
    drawing: { select: false, edit: false, draw: false, view: true },
    dragging: { select: false, edit: false, draw: false, view: false },
    resizing: { select: false, edit: false, draw: false, view: false },
    panning: { select: false, edit: false, draw: false, view: false },
  };

  describe.each(Object.entries(allowed) as Array<[CanvasMode, (typeof allowed)[CanvasMode]]>)('in mode %s', (mode, rules) => {
    it(`a press on a box ${rules.select ? 'selects it' : 'leaves the selection'}${rules.edit ? ' and starts moving it' : ''}`, () => {
      const { gestures, selectedTrackId } = stageIn(mode);
      const before = selectedTrackId.value;
      gestures.pointerDown(left(350, 150));
      expect(selectedTrackId.value).toBe(rules.select ? 2 : before);
      expect(gestures.mode.value).toBe(rules.edit ? 'dragging' : mode);
    });

    it(`a press on the selected box’s handle ${rules.edit ? 'starts resizing it' : 'does not resize it'}`, () => {
      const { gestures, selectedTrackId } = stageIn(mode);
      selectedTrackId.value = 2;
      gestures.pointerDown(left(400, 200));
      expect(gestures.mode.value).toBe(rules.edit ? 'resizing' : mode);
    });

    it(`N ${rules.draw ? 'arms' : 'does not arm'} drawing`, () => {
      const { gestures } = stageIn(mode);
      gestures.armDrawing();
      expect(gestures.drawArmed.value).toBe(rules.draw);
    });

    it(`the wheel ${rules.view ? 'zooms' : 'does nothing'}, and the middle button ${rules.view ? 'pans' : 'does nothing'}`, () => {
      const { gestures } = stageIn(mode);
      const scale = gestures.scale.value;
      expect(gestures.wheel({ x: 320, y: 180 }, -100)).toBe(rules.view);
      expect(gestures.scale.value).toBe(rules.view ? scale * 1.2 : scale);
      gestures.pointerDown(middle(320, 180));
      expect(gestures.mode.value).toBe(rules.view ? 'panning' : mode);
    });
  });

  it('moves a box, emitting it for the frame the gesture began on, with the draft drawn meanwhile', () => {
    const { gestures, frame, stopPlayback, events } = stage();
    gestures.pointerDown(left(150, 150));
    expect(stopPlayback).toHaveBeenCalled();
    gestures.pointerMove({ x: 170, y: 160 });
    expect(gestures.editing.value).toEqual({ trackId: 1, box: { xtl: 120, ytl: 110, xbr: 220, ybr: 210 } });
    frame.value = 6;
    gestures.pointerUp();
    expect(events.moved).toHaveBeenCalledExactlyOnceWith(1, 5, { xtl: 120, ytl: 110, xbr: 220, ybr: 210 });
    expect([gestures.mode.value, gestures.editing.value]).toEqual(['idle', null]);
  });

  it('emits nothing for a click that leaves a box where it was', () => {
    const { gestures, events } = stage();
    gestures.pointerDown(left(150, 150));
    gestures.pointerMove({ x: 150.1, y: 150.1 });
    gestures.pointerUp();
    expect(events.moved).not.toHaveBeenCalled();
  });

  it('resizes by a handle, snapping an edge near the frame’s edge onto it', () => {
    const { gestures, events } = stage(2);
    gestures.pointerDown(left(400, 200));
    gestures.pointerMove({ x: 636, y: 250 });
    gestures.pointerUp();
    expect(events.moved).toHaveBeenCalledExactlyOnceWith(2, 5, { xtl: 300, ytl: 100, xbr: 640, ybr: 250 });
  });

  it('draws a new box once N armed it; one smaller than 2 pixels is refused', () => {
    const { gestures, events } = stage();
    gestures.armDrawing();
    gestures.pointerDown(left(60, 330));
    gestures.pointerMove({ x: 20, y: 200 });
    expect(gestures.drawing.value).toEqual({ xtl: 20, ytl: 200, xbr: 60, ybr: 330 });
    gestures.pointerUp();
    expect(events.drawn).toHaveBeenCalledExactlyOnceWith(5, { xtl: 20, ytl: 200, xbr: 60, ybr: 330 });
    expect(gestures.drawArmed.value).toBe(false);

    gestures.armDrawing();
    gestures.pointerDown(left(100, 100));
    gestures.pointerUp();
    expect(events.tooSmall).toHaveBeenCalledOnce();
    expect(events.drawn).toHaveBeenCalledOnce();
  });

  it('Escape drops a move under way, and disarms drawing', () => {
    const { gestures, events } = stage();
    gestures.pointerDown(left(150, 150));
    gestures.pointerMove({ x: 170, y: 160 });
    gestures.cancel();
    gestures.pointerUp();
    expect(events.moved).not.toHaveBeenCalled();
    gestures.armDrawing();
    gestures.cancel();
    expect(gestures.drawArmed.value).toBe(false);
  });

  it('zooms around the pointer, keeping the video point under it in place; pans by the middle button; zooming back out recentres', () => {
    const { gestures } = stage();
    const under = (x: number, y: number) => ({
      x: (x - gestures.origin.value.x) / gestures.scale.value,
      y: (y - gestures.origin.value.y) / gestures.scale.value,
    });
    for (let i = 0; i < 4; i++) gestures.wheel({ x: 480, y: 120 }, -100);
    expect(gestures.scale.value).toBeCloseTo(1.2 ** 4);
    expect(under(480, 120).x).toBeCloseTo(480);
    expect(under(480, 120).y).toBeCloseTo(120);
    const origin = gestures.origin.value;
    gestures.pointerDown(middle(100, 100));
    gestures.pointerMove({ x: 130, y: 90 });
    gestures.pointerUp();
    expect(gestures.origin.value.x).toBeCloseTo(origin.x + 30);
    expect(gestures.origin.value.y).toBeCloseTo(origin.y - 10);
    for (let i = 0; i < 20; i++) gestures.wheel({ x: 10, y: 10 }, 100);
    expect([gestures.scale.value, gestures.origin.value]).toEqual([1, { x: 0, y: 0 }]);
  });
});
