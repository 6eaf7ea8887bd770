// The annotation canvas's interaction modes, as cvat-canvas has them: the canvas is always in exactly
// one, and this table says what a pointer or key may start in each.

export type CanvasMode = 'idle' | 'drawing' | 'dragging' | 'resizing' | 'panning';

export interface ModeRules {
  /** Clicking a box selects it. */
  select: boolean;
  /** Pressing on the selected box starts moving it; on one of its handles, resizing it. */
  edit: boolean;
  /** N arms drawing; pressing on the frame then draws a new box. */
  draw: boolean;
  /** The wheel zooms; the middle button pans. */
  view: boolean;
}

export const MODE_RULES: Record<CanvasMode, ModeRules> = {
  idle: { select: true, edit: true, draw: true, view: true },
  drawing: { select: false, edit: false, draw: false, view: true },
  dragging: { select: false, edit: false, draw: false, view: false },
  resizing: { select: false, edit: false, draw: false, view: false },
  panning: { select: false, edit: false, draw: false, view: false },
};
