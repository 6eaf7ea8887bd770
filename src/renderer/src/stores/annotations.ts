import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { AnnotationTrack, Edit, EditResult, ProjectAnnotations, TrackBox } from '../../../shared/annotations';
import { boxAt } from '../../../shared/keyframes';
import { unpackAnnotations } from '../../../shared/packed-annotations';
import { useApi } from '../api/client';

export interface BoxInFrame {
  trackId: number;
  box: TrackBox & { keyframe: boolean };
}

/**
 * The open project's annotations as the core holds them. Every change goes through the core (which
 * saves it and keeps undo); the store applies the tracks the core sends back.
 */
export const useAnnotationsStore = defineStore('annotations', () => {
  // Tracks are replaced, never mutated in place, so a shallow ref and a revision counter keep 20k keyframes cheap.
  const annotations = shallowRef<ProjectAnnotations | null>(null);
  const revision = ref(0);
  const selectedTrackId = ref<number | null>(null);
  /** What undo and redo would do next, in words; null when there is nothing to undo or redo. */
  const undoLabel = ref<string | null>(null);
  const redoLabel = ref<string | null>(null);
  /** Frames and tracks touched by edits in this session, for the timeline and the track list. */
  const editedFrames = ref(new Set<number>());
  const editedTracks = ref(new Set<number>());

  const tracks = computed<AnnotationTrack[]>(() => {
    void revision.value;
    return annotations.value?.tracks ?? [];
  });

  /** The boxes in `frame`, farthest first (the order they are drawn in). */
  function boxesAt(frame: number): BoxInFrame[] {
    const boxes: BoxInFrame[] = [];
    for (const track of tracks.value) {
      const box = boxAt(track, frame);
      if (box) boxes.push({ trackId: track.id, box });
    }
    return boxes.sort((a, b) => a.box.zOrder - b.box.zOrder || a.trackId - b.trackId);
  }

  async function load(): Promise<void> {
    const packed = await useApi().annotations();
    annotations.value = packed && unpackAnnotations(packed);
    selectedTrackId.value = null;
    undoLabel.value = null;
    redoLabel.value = null;
    editedFrames.value = new Set();
    editedTracks.value = new Set();
    revision.value++;
  }

  function apply(result: EditResult): void {
    const current = annotations.value;
    if (!current) return;
    const changed = new Map(result.tracks.map((track) => [track.id, track]));
    const kept = current.tracks.filter((track) => !changed.has(track.id) && !result.removed.includes(track.id));
    annotations.value = { ...current, tracks: [...kept, ...changed.values()].sort((a, b) => a.id - b.id) };
    if (selectedTrackId.value !== null && result.removed.includes(selectedTrackId.value)) selectedTrackId.value = null;
    undoLabel.value = result.undo;
    redoLabel.value = result.redo;
    revision.value++;
  }

  async function edit(change: Edit): Promise<EditResult> {
    const result = await useApi().editAnnotations({ edit: change });
    apply(result);
    for (const track of result.tracks) editedTracks.value.add(track.id);
    const frames = 'from' in change ? [change.from, change.to] : 'frame' in change ? [change.frame] : [];
    for (const frame of frames) editedFrames.value.add(frame);
    return result;
  }

  /** Takes back the last edit; resolves with what it took back, in words (null when there was nothing). */
  async function undo(): Promise<string | null> {
    const undone = undoLabel.value;
    const result = await useApi().undoEdit();
    if (!result) return null;
    apply(result);
    return undone;
  }

  /** Does the last undone edit again; resolves with what it did, in words (null when there was nothing). */
  async function redo(): Promise<string | null> {
    const redone = redoLabel.value;
    const result = await useApi().redoEdit();
    if (!result) return null;
    apply(result);
    return redone;
  }

  /**
   * The nearest frame after (direction 1) or before (-1) `from` where `marked` holds; null if none. Used to
   * jump between edited frames and frames with labels outside the project's set.
   */
  function nextMarked(from: number, direction: 1 | -1, marked: (frame: number) => boolean): number | null {
    const count = annotations.value?.frameCount ?? 0;
    for (let frame = from + direction; frame >= 0 && frame < count; frame += direction) if (marked(frame)) return frame;
    return null;
  }

  function hasUnknownLabel(frame: number, labels: ReadonlySet<string>): boolean {
    return boxesAt(frame).some((entry) => !labels.has(entry.box.label));
  }

  return {
    annotations,
    revision,
    tracks,
    selectedTrackId,
    undoLabel,
    redoLabel,
    editedFrames,
    editedTracks,
    boxesAt,
    nextMarked,
    hasUnknownLabel,
    load,
    apply,
    edit,
    undo,
    redo,
  };
});
