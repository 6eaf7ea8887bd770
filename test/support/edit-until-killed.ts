// Child process for the crash test: edits a project's annotations every 10 ms through the real store and
// prints "<edit number> <time>" after each, until it is killed.

import { AnnotationStore } from '../../src/core/project/annotation-store';

const folder = process.argv[2]!;
const store = (await AnnotationStore.load(folder, ['MW', 'NM', 'ND']))!;
const track = store.annotations.tracks[0]!;
const frame = track.shapes[0]!.frame;
let count = 0;
setInterval(() => {
  count++;
  // The edit number is written into the box, so the saved file tells which edits reached the disk.
  store.apply({ type: 'move-box', trackId: track.id, frame, box: { xtl: count / 100, ytl: 1, xbr: count / 100 + 50, ybr: 100 } });
  process.stdout.write(`${count} ${Date.now()}\n`);
}, 10);
