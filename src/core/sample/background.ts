// The static scene: a building's front wall with windows and a door, and a paved walkway between grass
// verges, in perspective. Rendered once per clip.

import { Camera, WALKWAY_HALF_WIDTH_M, WALL_Z, walkwayCenter } from './camera';

const TILE_M = 0.6;
const JOINT_M = 0.014;
const CURB_M = 0.18;

/** Smooth value noise in [0, 1) on a lattice, deterministic for a seed. */
function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash(ix, iy, seed);
  const b = hash(ix + 1, iy, seed);
  const c = hash(ix, iy + 1, seed);
  const d = hash(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

function fractal(x: number, y: number, seed: number): number {
  return 0.55 * valueNoise(x, y, seed) + 0.3 * valueNoise(x * 2.1, y * 2.1, seed + 1) + 0.15 * valueNoise(x * 4.3, y * 4.3, seed + 2);
}

/** A well-mixed integer hash of a lattice point, as a float in [0, 1). */
export function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 374761393) ^ Math.imul(y | 0, 668265263) ^ Math.imul(seed | 0, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function renderBackground(camera: Camera, seed: number): Uint8Array {
  const { width, height } = camera;
  const rgb = new Uint8Array(width * height * 3);
  const wallBaseY = camera.screenY(0, WALL_Z);
  for (let sy = 0; sy < height; sy++) {
    for (let sx = 0; sx < width; sx++) {
      const [r, g, b] = sy + 0.5 < wallBaseY ? wall(camera, sx + 0.5, sy + 0.5, seed) : ground(camera, sx + 0.5, sy + 0.5, seed);
      // A little vignetting, as a real lens has.
      const dx = (sx - width / 2) / width;
      const dy = (sy - height / 2) / height;
      const vignette = 1 - 0.35 * (dx * dx + dy * dy);
      const o = (sy * width + sx) * 3;
      rgb[o] = Math.min(255, r * vignette);
      rgb[o + 1] = Math.min(255, g * vignette);
      rgb[o + 2] = Math.min(255, b * vignette);
    }
  }
  return rgb;
}

function wall(camera: Camera, sx: number, sy: number, seed: number): [number, number, number] {
  const x = camera.worldX(sx, WALL_Z);
  const y = 4.2 - ((sy - camera.horizonY) * WALL_Z) / camera.focal;
  const grain = 0.88 + 0.24 * fractal(x * 1.5, y * 1.5, seed);
  const doorX = x - walkwayCenter(WALL_Z);
  if (Math.abs(doorX) < 1.25 && y < 2.75) {
    // The door people come out of, in a lighter frame.
    if (Math.abs(doorX) > 1.1 || y > 2.6) return [150 * grain, 145 * grain, 138 * grain];
    const glass = 0.8 + (0.4 * y) / 2.6;
    return [38 * glass, 42 * glass, 48 * glass];
  }
  if (y < 0.45) return [105 * grain, 100 * grain, 96 * grain];
  if (y > 0.8 && y < 2.7 && Math.abs(doorX) > 2) {
    // Shop windows on the ground floor.
    const pane = ((x % 4) + 4) % 4;
    if (pane > 0.15) return [55 + 30 * (y - 0.8), 68 + 30 * (y - 0.8), 82 + 25 * (y - 0.8)];
    return [90, 88, 86];
  }
  const column = Math.floor((x + 200) / 3.6);
  const floor = Math.floor((y - 3.2) / 3.4);
  const fx = ((((x + 200) % 3.6) + 3.6) % 3.6) / 3.6;
  const fy = ((((y - 3.2) % 3.4) + 3.4) % 3.4) / 3.4;
  if (y > 3.2 && fx > 0.22 && fx < 0.78 && fy > 0.12 && fy < 0.7) {
    if (fx < 0.25 || fx > 0.75 || fy < 0.15 || fy > 0.67) return [200, 198, 192];
    const lit = hash(column, floor, seed + 7) > 0.8;
    const sky = 0.75 + 0.5 * (fy - 0.12);
    return lit ? [190 * sky, 170 * sky, 120 * sky] : [70 * sky, 84 * sky, 100 * sky];
  }
  return [168 * grain, 150 * grain, 132 * grain];
}

function ground(camera: Camera, sx: number, sy: number, seed: number): [number, number, number] {
  const z = camera.groundDepth(sy);
  const x = camera.worldX(sx, z);
  const offset = Math.abs(x - walkwayCenter(z));
  const haze = Math.min(0.45, z / 120);
  let color: [number, number, number];
  if (offset < WALKWAY_HALF_WIDTH_M) {
    // Paving slabs; their joints fade with distance instead of shimmering (a joint covers part of a pixel).
    const pixelX = z / camera.focal;
    const pixelZ = (z * z) / (camera.focal * 4.2);
    const jointX = Math.abs(x / TILE_M - Math.round(x / TILE_M)) * TILE_M;
    const jointZ = Math.abs(z / TILE_M - Math.round(z / TILE_M)) * TILE_M;
    const coverage = Math.max(clamp01((JOINT_M / 2 - jointX) / pixelX + 0.5), clamp01((JOINT_M / 2 - jointZ) / pixelZ + 0.5));
    const slab = 0.93 + 0.12 * hash(Math.floor(x / TILE_M), Math.floor(z / TILE_M), seed + 3);
    const grain = 0.94 + 0.12 * fractal(x * 3, z * 3, seed + 4);
    const k = slab * grain * (1 - 0.35 * coverage);
    color = [184 * k, 179 * k, 170 * k];
  } else if (offset < WALKWAY_HALF_WIDTH_M + CURB_M) {
    const k = 0.95 + 0.1 * fractal(x * 6, z * 6, seed + 5);
    color = [206 * k, 203 * k, 196 * k];
  } else {
    const patch = fractal(x * 0.7, z * 0.7, seed + 6);
    const blade = hash(Math.floor(sx), Math.floor(sy), seed + 8);
    const k = 0.7 + 0.35 * patch + 0.12 * blade;
    color = [74 * k, 118 * k, 58 * k];
  }
  return [color[0] + (172 - color[0]) * haze, color[1] + (176 - color[1]) * haze, color[2] + (182 - color[2]) * haze];
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
