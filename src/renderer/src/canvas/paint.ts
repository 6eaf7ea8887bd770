// What the annotation overlay draws over the frame, given everything it depends on: no Vue, no DOM
// lookups, so a test can paint onto a fake context and read back what was drawn.

import type { BoxGeometry } from '../../../shared/annotations';
import type { BoxPrediction } from '../../../shared/review';
import type { Theme } from '../theme';
import { HANDLES, handlePoint } from './geometry';

/** The part of a 2D context the overlay uses. */
export interface OverlayContext {
  lineWidth: number;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  fillStyle: string | CanvasGradient | CanvasPattern;
  font: string;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  setLineDash(segments: number[]): void;
}

/** Video pixels to canvas pixels: `scale` CSS pixels per video pixel, the frame's corner at (x, y) CSS pixels, `ratio` device pixels per CSS pixel. */
export interface ViewTransform {
  scale: number;
  x: number;
  y: number;
  ratio: number;
}

/** What the chosen run's model says of a box, and the second run's when comparing. */
export interface ModelOpinion {
  mine: BoxPrediction;
  other: BoxPrediction | null;
  /** The model's label differs from the box's. */
  disagrees: boolean;
}

export interface OverlayBox {
  trackId: number;
  label: string;
  occluded: boolean;
  /** Where it is drawn: the box, or the draft that follows the pointer while it is moved or resized. */
  geometry: BoxGeometry;
  /** Null when the model's labels are hidden or the box has no prediction. */
  model: ModelOpinion | null;
}

export interface Overlay {
  /** In drawing order: the last is on top. */
  boxes: OverlayBox[];
  selectedTrackId: number | null;
  /** A new box being drawn. */
  drawing: BoxGeometry | null;
  labelColour(label: string): string;
  theme: Pick<Theme, 'highlight' | 'tagText' | 'tagBackdrop' | 'modelDisagrees'>;
}

/** Clears the canvas (`width` × `height` device pixels) and draws the overlay through `view`. */
export function paintOverlay(context: OverlayContext, width: number, height: number, view: ViewTransform, overlay: Overlay): void {
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, width, height);
  const k = view.scale * view.ratio;
  context.setTransform(k, 0, 0, k, view.x * view.ratio, view.y * view.ratio);
  // One CSS pixel in video pixels: lines and text keep their on-screen size at any zoom.
  const px = 1 / view.scale;
  for (const box of overlay.boxes) paintBox(context, box, box.trackId === overlay.selectedTrackId, px, overlay);
  if (overlay.drawing) {
    context.strokeStyle = overlay.theme.highlight;
    context.lineWidth = 1.5 * px;
    context.setLineDash([4 * px, 3 * px]);
    strokeBox(context, overlay.drawing);
    context.setLineDash([]);
  }
}

function paintBox(context: OverlayContext, box: OverlayBox, selected: boolean, px: number, overlay: Overlay): void {
  const shown = box.geometry;
  const colour = overlay.labelColour(box.label);
  context.lineWidth = (selected ? 3 : 2) * px;
  context.strokeStyle = colour;
  // Occluded boxes are dashed: the colour is never the only cue.
  context.setLineDash(box.occluded ? [6 * px, 4 * px] : []);
  strokeBox(context, shown);
  context.setLineDash([]);
  const tag = `${box.label} ${box.trackId}`;
  context.font = `${12 * px}px system-ui, sans-serif`;
  const tagWidth = context.measureText(tag).width + 6 * px;
  context.fillStyle = colour;
  context.fillRect(shown.xtl, shown.ytl - 15 * px, tagWidth, 15 * px);
  context.fillStyle = overlay.theme.tagText;
  context.fillText(tag, shown.xtl + 3 * px, shown.ytl - 4 * px);
  if (box.model) paintModelTag(context, box.model, shown, px, overlay);
  if (selected) {
    context.fillStyle = overlay.theme.highlight;
    for (const handle of HANDLES) {
      const at = handlePoint(shown, handle);
      context.fillRect(at.x - 3 * px, at.y - 3 * px, 6 * px, 6 * px);
    }
  }
}

const percent = (prediction: BoxPrediction) => `${Math.round(Math.max(...prediction.probabilities) * 100)}%`;

/** The model's tag: "model NM 87%", and " · B MW 60%" when comparing; "≠ " marks a disagreement or a difference. */
function modelTagText({ mine, other, disagrees }: ModelOpinion): string {
  const compared = other ? ` · ${other.predicted !== mine.predicted ? '≠ ' : ''}B ${other.predicted} ${percent(other)}` : '';
  return `${disagrees ? '≠ ' : ''}model ${mine.predicted} ${percent(mine)}${compared}`;
}

/**
 * Under the box, what the model says of it. Where the model disagrees with the label, the box gets a
 * dashed outline in the disagreement colour and the tag a "≠": the colour is never the only cue.
 */
function paintModelTag(context: OverlayContext, model: ModelOpinion, box: BoxGeometry, px: number, overlay: Overlay): void {
  const differs = model.other !== null && model.other.predicted !== model.mine.predicted;
  const tag = modelTagText(model);
  if (model.disagrees) {
    context.strokeStyle = overlay.theme.modelDisagrees;
    context.lineWidth = 2 * px;
    context.setLineDash([5 * px, 3 * px]);
    context.strokeRect(box.xtl - 4 * px, box.ytl - 4 * px, box.xbr - box.xtl + 8 * px, box.ybr - box.ytl + 8 * px);
    context.setLineDash([]);
  }
  const width = context.measureText(tag).width + 6 * px;
  context.fillStyle = overlay.theme.tagBackdrop;
  context.fillRect(box.xtl, box.ybr + 2 * px, width, 15 * px);
  context.fillStyle = model.disagrees || differs ? overlay.theme.modelDisagrees : overlay.labelColour(model.mine.predicted);
  context.fillText(tag, box.xtl + 3 * px, box.ybr + 13 * px);
}

function strokeBox(context: OverlayContext, box: BoxGeometry): void {
  context.strokeRect(box.xtl, box.ytl, box.xbr - box.xtl, box.ybr - box.ytl);
}
