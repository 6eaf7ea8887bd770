// A person in one frame as a list of flat shapes in screen pixels, back to front. The same shapes give
// the rendered pixels and the annotated box, so the two always agree.

import type { BoxGeometry } from '../../shared/annotations';
import type { Camera } from './camera';
import type { Appearance, PersonState, Rgb } from './cast';

export type Shape = { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; color: Rgb } | { kind: 'polygon'; points: number[]; color: Rgb };

export interface Pose {
  shapes: Shape[];
  /** Bounds of the whole body, not clipped to the frame. */
  body: BoxGeometry;
  /** Bounds of the head: where the face is, for telling whether it can be seen. */
  head: BoxGeometry;
  shadow: { cx: number; cy: number; rx: number; ry: number };
  depth: number;
}

const EYE: Rgb = [40, 30, 30];
const EYE_WHITE: Rgb = [236, 236, 230];
const MOUTH: Rgb = [150, 70, 70];

function shade(color: Rgb, factor: number): Rgb {
  return [color[0] * factor, color[1] * factor, color[2] * factor];
}

export function posePerson(camera: Camera, look: Appearance, state: PersonState): Pose {
  const s = camera.scale(state.z);
  const footX = camera.screenX(state.x, state.z);
  const footY = camera.screenY(0, state.z);
  const H = look.heightM;
  const b = look.build;
  const shapes: Shape[] = [];
  // Body coordinates: u metres to the right of the feet, v metres above the ground.
  const X = (u: number) => footX + u * s;
  const Y = (v: number) => footY - v * s;
  const ellipse = (u: number, v: number, ru: number, rv: number, color: Rgb) =>
    shapes.push({ kind: 'ellipse', cx: X(u), cy: Y(v), rx: ru * s, ry: rv * s, color });
  const polygon = (color: Rgb, ...uv: number[]) => shapes.push({ kind: 'polygon', points: uv.map((value, i) => (i % 2 === 0 ? X(value) : Y(value))), color });
  /** A limb or trunk from a top centre to a bottom centre, with its widths there. */
  const limb = (u1: number, v1: number, w1: number, u2: number, v2: number, w2: number, color: Rgb) =>
    polygon(color, u1 - w1 / 2, v1, u1 + w1 / 2, v1, u2 + w2 / 2, v2, u2 - w2 / 2, v2);

  const swing = Math.sin(state.phase);
  const profile = state.facing === 'left' || state.facing === 'right';
  const dir = state.facing === 'left' ? -1 : 1;
  const headV = 0.925 * H;
  const headRu = 0.056 * H;
  const headRv = 0.068 * H;
  const hairVisible = look.hairStyle === 'short' || look.hairStyle === 'long';
  // Eyes with their whites, and brows: at any skin tone a face is then told from the back of a head.
  const brow = hairVisible ? look.hair : shade(look.skin, 0.55);

  if (!profile) {
    const back = state.facing === 'back';
    const lift = (side: number) => 0.025 * H * Math.max(0, side * swing);
    // Seen from the front, long hair falls behind the shoulders; from behind, it covers the neck.
    const longHair = () => limb(0, 0.95 * H, 0.14 * H, 0, back ? 0.76 * H : 0.8 * H, 0.13 * H, look.hair);
    if (look.hairStyle === 'long' && !back) longHair();
    for (const side of [-1, 1]) {
      limb(side * 0.052 * H * b, 0.5 * H, 0.075 * H * b, side * 0.045 * H, lift(side) + 0.02 * H, 0.05 * H, look.trousers);
      ellipse(side * 0.045 * H, lift(side) + 0.012 * H, 0.035 * H, 0.014 * H, look.shoes);
    }
    for (const side of [-1, 1]) {
      const handV = 0.44 * H + 0.03 * H * Math.max(0, -side * swing);
      limb(side * 0.118 * H * b, 0.8 * H, 0.05 * H, side * 0.13 * H * b, 0.62 * H, 0.045 * H, look.shirt);
      limb(side * 0.13 * H * b, 0.62 * H, 0.042 * H, side * 0.14 * H * b, handV, 0.036 * H, look.skin);
      ellipse(side * 0.14 * H * b, handV, 0.022 * H, 0.024 * H, look.skin);
    }
    limb(0, 0.815 * H, 0.25 * H * b, 0, 0.48 * H, 0.185 * H * b, look.shirt);
    limb(0, 0.52 * H, 0.19 * H * b, 0, 0.455 * H, 0.19 * H * b, look.trousers);
    if (back && look.backpack) limb(0, 0.78 * H, 0.17 * H * b, 0, 0.55 * H, 0.16 * H * b, look.backpack);
    limb(0, 0.87 * H, 0.05 * H, 0, 0.8 * H, 0.055 * H, look.skin);
    if (back) {
      if (look.hairStyle === 'long') longHair();
      for (const side of [-1, 1]) ellipse(side * 0.056 * H, headV, 0.012 * H, 0.016 * H, look.skin);
      ellipse(0, headV, headRu, headRv, hairVisible ? look.hair : look.skin);
      if (look.hairStyle === 'cap') ellipse(0, headV + 0.025 * H, headRu * 1.04, headRv * 0.6, look.capColor);
    } else {
      ellipse(0, headV, headRu, headRv, look.skin);
      if (hairVisible) {
        ellipse(0, headV + 0.03 * H, headRu * 1.07, headRv * 0.66, look.hair);
        ellipse(0, headV - 0.01 * H, headRu * 0.95, headRv * 0.85, look.skin);
      } else if (look.hairStyle === 'cap') {
        ellipse(0, headV + 0.035 * H, headRu * 1.06, headRv * 0.55, look.capColor);
        ellipse(0, headV + 0.02 * H, headRu * 1.1, 0.012 * H, shade(look.capColor, 0.75));
      }
      for (const side of [-1, 1]) {
        ellipse(side * 0.021 * H, 0.932 * H, 0.011 * H, 0.0065 * H, EYE_WHITE);
        ellipse(side * 0.021 * H, 0.932 * H, 0.0055 * H, 0.0055 * H, EYE);
        polygon(brow, side * 0.009 * H, 0.946 * H, side * 0.034 * H, 0.948 * H, side * 0.034 * H, 0.942 * H, side * 0.009 * H, 0.94 * H);
      }
      ellipse(0, 0.912 * H, 0.007 * H, 0.009 * H, shade(look.skin, 0.8));
      ellipse(0, 0.893 * H, 0.015 * H, 0.005 * H, MOUTH);
      if (state.masked) frontMask(look, H, polygon, ellipse);
    }
  } else {
    const far = shade(look.trousers, 0.7);
    limb(0, 0.5 * H, 0.07 * H * b, -dir * 0.11 * H * swing, 0.02 * H, 0.05 * H, far);
    ellipse(-dir * 0.11 * H * swing + dir * 0.015 * H, 0.012 * H, 0.04 * H, 0.014 * H, shade(look.shoes, 0.7));
    limb(0, 0.8 * H, 0.045 * H, dir * 0.09 * H * swing, 0.45 * H, 0.035 * H, shade(look.shirt, 0.7));
    if (look.backpack) limb(-dir * 0.09 * H * b, 0.78 * H, 0.08 * H * b, -dir * 0.09 * H * b, 0.56 * H, 0.08 * H * b, look.backpack);
    limb(0, 0.815 * H, 0.13 * H * b, 0, 0.48 * H, 0.115 * H * b, look.shirt);
    limb(0, 0.52 * H, 0.12 * H * b, 0, 0.455 * H, 0.12 * H * b, look.trousers);
    limb(0, 0.5 * H, 0.075 * H * b, dir * 0.11 * H * swing, 0.02 * H, 0.05 * H, look.trousers);
    ellipse(dir * 0.11 * H * swing + dir * 0.015 * H, 0.012 * H, 0.04 * H, 0.014 * H, look.shoes);
    limb(0, 0.8 * H, 0.045 * H, -dir * 0.09 * H * swing, 0.45 * H, 0.035 * H, look.shirt);
    ellipse(-dir * 0.09 * H * swing, 0.44 * H, 0.021 * H, 0.023 * H, look.skin);
    limb(0, 0.87 * H, 0.045 * H, 0, 0.8 * H, 0.05 * H, look.skin);
    if (look.hairStyle === 'long') limb(-dir * 0.02 * H, 0.95 * H, 0.09 * H, -dir * 0.03 * H, 0.8 * H, 0.08 * H, look.hair);
    ellipse(dir * 0.006 * H, headV, headRu * 0.95, headRv, look.skin);
    // Side-on, hair covers the back and top of the head, leaving the front of the face skin, with an ear.
    // Covering more (56% of the head's box, now 45%), it made side-on faces in small frames pass for backs of heads.
    if (hairVisible) ellipse(-dir * 0.02 * H, headV + 0.016 * H, headRu * 0.82, headRv * 0.86, look.hair);
    else if (look.hairStyle === 'cap') {
      ellipse(-dir * 0.004 * H, headV + 0.035 * H, headRu, headRv * 0.55, look.capColor);
      ellipse(dir * 0.05 * H, headV + 0.022 * H, 0.03 * H, 0.01 * H, shade(look.capColor, 0.75));
    }
    if (look.hairStyle !== 'long') ellipse(-dir * 0.004 * H, 0.922 * H, 0.009 * H, 0.014 * H, shade(look.skin, 0.88));
    ellipse(dir * 0.036 * H, 0.932 * H, 0.008 * H, 0.0065 * H, EYE_WHITE);
    ellipse(dir * 0.038 * H, 0.932 * H, 0.0045 * H, 0.0055 * H, EYE);
    polygon(brow, dir * 0.024 * H, 0.946 * H, dir * 0.048 * H, 0.947 * H, dir * 0.048 * H, 0.941 * H, dir * 0.024 * H, 0.94 * H);
    ellipse(dir * 0.045 * H, 0.893 * H, 0.008 * H, 0.005 * H, MOUTH);
    if (state.masked) {
      const c = look.mask.color;
      polygon(c, -dir * 0.008 * H, 0.92 * H, dir * 0.062 * H, 0.912 * H, dir * 0.058 * H, 0.872 * H, -dir * 0.004 * H, 0.864 * H);
      polygon(shade(c, 0.8), -dir * 0.02 * H, 0.922 * H, dir * 0.004 * H, 0.918 * H, dir * 0.004 * H, 0.912 * H, -dir * 0.02 * H, 0.916 * H);
    }
  }

  return {
    shapes,
    body: bounds(shapes),
    head: { xtl: X(-headRu), ytl: Y(headV + headRv), xbr: X(headRu), ybr: Y(headV - headRv) },
    shadow: { cx: footX, cy: footY, rx: 0.22 * H * s, ry: 0.06 * H * s },
    depth: state.z,
  };
}

function frontMask(
  look: Appearance,
  H: number,
  polygon: (color: Rgb, ...uv: number[]) => void,
  ellipse: (u: number, v: number, ru: number, rv: number, color: Rgb) => void,
): void {
  const c = look.mask.color;
  if (look.mask.style === 'surgical') {
    polygon(c, -0.052 * H, 0.918 * H, 0.052 * H, 0.918 * H, 0.045 * H, 0.871 * H, -0.045 * H, 0.871 * H);
    for (const v of [0.905, 0.889])
      polygon(shade(c, 0.78), -0.047 * H, (v + 0.002) * H, 0.047 * H, (v + 0.002) * H, 0.047 * H, (v - 0.002) * H, -0.047 * H, (v - 0.002) * H);
  } else if (look.mask.style === 'cup') {
    ellipse(0, 0.895 * H, 0.047 * H, 0.031 * H, c);
    ellipse(0, 0.9 * H, 0.01 * H, 0.012 * H, shade(c, 0.85));
  } else {
    polygon(c, -0.051 * H, 0.918 * H, 0.051 * H, 0.918 * H, 0.049 * H, 0.894 * H, -0.049 * H, 0.894 * H);
    ellipse(0, 0.893 * H, 0.049 * H, 0.026 * H, c);
  }
}

/** Whether the point (x, y) is on one of the pose's shapes: drawn over whatever is behind it. */
export function poseCovers(pose: Pose, x: number, y: number): boolean {
  const { body } = pose;
  if (x < body.xtl || x > body.xbr || y < body.ytl || y > body.ybr) return false;
  return pose.shapes.some((shape) =>
    shape.kind === 'ellipse' ? ((x - shape.cx) / shape.rx) ** 2 + ((y - shape.cy) / shape.ry) ** 2 <= 1 : inPolygon(shape.points, x, y),
  );
}

/** Even-odd rule: a ray to the right crosses the outline an odd number of times from inside. */
function inPolygon(points: number[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 2; i < points.length; j = i, i += 2) {
    const [xi, yi, xj, yj] = [points[i]!, points[i + 1]!, points[j]!, points[j + 1]!];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function bounds(shapes: Shape[]): BoxGeometry {
  const box = { xtl: Infinity, ytl: Infinity, xbr: -Infinity, ybr: -Infinity };
  const extend = (x0: number, y0: number, x1: number, y1: number) => {
    box.xtl = Math.min(box.xtl, x0);
    box.ytl = Math.min(box.ytl, y0);
    box.xbr = Math.max(box.xbr, x1);
    box.ybr = Math.max(box.ybr, y1);
  };
  for (const shape of shapes) {
    if (shape.kind === 'ellipse') extend(shape.cx - shape.rx, shape.cy - shape.ry, shape.cx + shape.rx, shape.cy + shape.ry);
    else for (let i = 0; i < shape.points.length; i += 2) extend(shape.points[i]!, shape.points[i + 1]!, shape.points[i]!, shape.points[i + 1]!);
  }
  return box;
}
