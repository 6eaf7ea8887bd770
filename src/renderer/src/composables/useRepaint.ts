import { onScopeDispose } from 'vue';

/**
 * Coalesces repaints: however many changes ask for one during a frame, `paint` runs once, at the next
 * animation frame. Returns the function that asks; a repaint still pending when the owner goes is dropped.
 */
export function useRepaint(paint: () => void): () => void {
  let pending = 0;
  onScopeDispose(() => cancelAnimationFrame(pending));
  return () => {
    pending ||= requestAnimationFrame(() => {
      pending = 0;
      paint();
    });
  };
}
