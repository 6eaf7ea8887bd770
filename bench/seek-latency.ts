// Seek latency as an annotator feels it: from a jump typed into Ctrl+G's field to the moment the frame
// number (and with it the boxes) of the presented frame changes, timed inside the page.

import type { Page } from 'playwright-core';

/** Times `jumps` seeks to pseudo-random frames below `frameCount`; milliseconds, sorted. */
export async function seekTimes(page: Page, frameCount: number, jumps: number): Promise<number[]> {
  return page.evaluate(
    async ({ frameCount, jumps }) => {
      const input = document.querySelector('[data-test=go-to]') as HTMLInputElement;
      const shown = document.querySelector('[data-test=frame-number]')!;
      const results: number[] = [];
      let seed = 7;
      while (results.length < jumps) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const target = seed % frameCount;
        if (String(target) === shown.textContent) continue;
        const start = performance.now();
        const landed = new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            if (shown.textContent === String(target)) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(shown, { childList: true, characterData: true, subtree: true });
        });
        input.value = String(target);
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        await landed;
        results.push(performance.now() - start);
      }
      return results.sort((a, b) => a - b);
    },
    { frameCount, jumps },
  );
}

/** "median 40 ms, worst 96 ms (20 seeks)". */
export function describeSeeks(times: number[]): string {
  return `median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, worst ${times.at(-1)!.toFixed(0)} ms (${times.length} seeks)`;
}
