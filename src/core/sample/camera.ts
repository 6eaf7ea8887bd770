// A fixed camera mounted high, looking down a walkway toward a building. World coordinates in metres:
// x to the right, y up from the ground, z away from the camera. Scaled by frame height, so every
// resolution shows the same scene.

export const CAMERA_HEIGHT_M = 4.2;
/** The building's front wall, where the walkway ends at a door. */
export const WALL_Z = 42;
/** People come out of and go into the door here. */
export const DOOR_Z = 41.5;
export const WALKWAY_HALF_WIDTH_M = 2.6;

export class Camera {
  readonly horizonY: number;
  readonly focal: number;
  readonly centerX: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.horizonY = 0.2 * height;
    this.focal = 1.15 * height;
    this.centerX = width / 2;
  }

  /** Pixels per metre at depth z. */
  scale(z: number): number {
    return this.focal / z;
  }

  screenX(x: number, z: number): number {
    return this.centerX + (this.focal * x) / z;
  }

  screenY(y: number, z: number): number {
    return this.horizonY + (this.focal * (CAMERA_HEIGHT_M - y)) / z;
  }

  /** The depth of the ground seen at screen row `sy` (below the horizon). */
  groundDepth(sy: number): number {
    return (this.focal * CAMERA_HEIGHT_M) / (sy - this.horizonY);
  }

  /** The world x seen at screen column `sx` at depth z. */
  worldX(sx: number, z: number): number {
    return ((sx - this.centerX) * z) / this.focal;
  }

  /** Depth below which a standing person of height h has left the bottom of the frame entirely. */
  exitDepth(personHeight: number): number {
    return (this.focal * (CAMERA_HEIGHT_M - personHeight)) / (this.height - this.horizonY) - 0.2;
  }
}

/** The walkway's centre line drifts right with distance, so the view is not symmetric. */
export function walkwayCenter(z: number): number {
  return -0.8 + 0.05 * (z - 6);
}
