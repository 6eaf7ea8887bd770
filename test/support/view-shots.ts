// A view's screenshots at the two window sizes the UI is checked at (a large monitor's 1600x1000 and a
// laptop's 1280x720), saved under test-results/screenshots/views/ for people to look at and for
// `npm run screenshots` to turn into the README's pictures.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './built-app';

export const VIEW_SHOTS = join(ROOT, 'test-results', 'screenshots', 'views');
export const VIEW_SIZES = [
  { width: 1600, height: 1000 },
  { width: 1280, height: 720 },
] as const;

/** Screenshots of the page as it is at each size, then the size it had back. */
export async function viewShots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  await mkdir(VIEW_SHOTS, { recursive: true });
  for (const size of VIEW_SIZES) {
    await page.setViewportSize(size);
    // Canvases repaint on the next frames after a resize (charts, the timeline, the video's overlay).
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(VIEW_SHOTS, `${name}-${size.width}x${size.height}.png`) });
  }
  if (before) await page.setViewportSize(before);
}
