import { resolve } from 'node:path';
import { detectProject } from '../../core/detect/detect-project';
import { scoreDraft } from '../../core/detect/draft-score';
import { openHere } from '../../core/review/run-here';
import { AnnotationStore } from '../../core/project/annotation-store';
import { readProjectSettings } from '../../core/project/project-settings';
import { detectOptionsSchema } from '../../shared/detect';
import { read } from '../../shared/schema';
import type { CliCommand } from '../command';
import { given, number, projectFolder } from '../flags';
import { progressPrinter } from '../progress';

export const detectCommand: CliCommand = {
  summary: 'find the people in the project’s video and track them; written to drafts/people.json for the annotator to accept',
  usage: [
    '--project DIR        the project folder (with media; annotations are not needed)',
    '--every K            detect on every K-th frame, tracking between (default 1)',
    '--from N --to N      a range of frames (default: all)',
    '--model DIR          a detector folder with detector.json (default: the bundled NanoDet)',
    '--threshold S        the score a track must reach somewhere, above 0 up to 1 (default 0.5);',
    '                     weaker detections (down to 0.4 of it) only continue tracks',
    '--scale X            the frame’s scale before tiling (default: its height fills one tile)',
    '--min-detections N   drop tracks found on fewer frames (default 3)',
    '--run ID             a training run whose classifier proposes each person’s label (see maskbench runs);',
    '                     without one, ND is proposed where the face finder sees no face',
    '--face-threshold S   the face finder’s score from which a face shows (default 0.4)',
    '--replace            replace a draft that is there already',
  ],
  options: {
    project: { type: 'string' },
    every: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    model: { type: 'string' },
    threshold: { type: 'string' },
    scale: { type: 'string' },
    'min-detections': { type: 'string' },
    run: { type: 'string' },
    'face-threshold': { type: 'string' },
    replace: { type: 'boolean' },
  },

  async run(args, { json, output }) {
    const project = await projectFolder(args.project);
    const options = read(
      detectOptionsSchema,
      given({
        every: number(args.every, 'every'),
        from: number(args.from, 'from'),
        to: number(args.to, 'to'),
        model: typeof args.model === 'string' ? resolve(args.model) : undefined,
        threshold: number(args.threshold, 'threshold'),
        scale: number(args.scale, 'scale'),
        minDetections: number(args['min-detections'], 'minDetections'),
        runId: args.run,
        faceThreshold: number(args['face-threshold'], 'faceThreshold'),
        replace: args.replace === true ? true : undefined,
      }),
    );
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    const draft = await detectProject(project, options, { signal: controller.signal, ...progressPrinter(output, json) }, openHere()).finally(() =>
      process.off('SIGINT', stop),
    );
    // Against the project's own labels, when it has some: how far the draft is from what an annotator checked.
    const settings = await readProjectSettings(project);
    const labelled =
      settings &&
      (await AnnotationStore.load(
        project,
        settings.labels.map((label) => label.name),
      ));
    const score = labelled && labelled.annotations.tracks.length > 0 ? scoreDraft(draft, labelled.annotations) : null;
    const summary = {
      detector: draft.detector,
      from: draft.from,
      to: draft.to,
      every: draft.every,
      framesDetected: draft.framesDetected,
      seconds: draft.seconds,
      tracks: draft.tracks.length,
      keyframes: draft.tracks.reduce((sum, track) => sum + track.keyframes.length, 0),
      score,
    };
    if (json) output.out(JSON.stringify(summary));
    else {
      output.out(
        `Found ${summary.tracks} people (${summary.keyframes} keyframes) on ${draft.framesDetected} frames of ${draft.from}-${draft.to} in ${draft.seconds} s with ${draft.detector}; the draft is in drafts/people.json`,
      );
      if (score)
        output.out(
          `Against the project's labels (people at least 40 px tall): recall ${score.recall.toFixed(3)}, precision ${score.precision.toFixed(3)}; ${score.tracksSwitchingTwice} tracks change person more than once (at most ${score.mostSwitches} times)`,
        );
    }
    return 0;
  },
};
