import { samplePaths } from '../../core/project/layout';
import { generateSample } from '../../core/sample/generate-sample';
import { NOISE_SHAPES } from '../../core/sample/label-noise';
import { SAMPLE_DEFAULTS } from '../../core/sample/sample-options';
import { flagOf, given, number } from '../flags';

const NUMBERS = ['frames', 'fps', 'width', 'height', 'seed', 'labelNoise'] as const;
import type { CliCommand } from '../command';
import { progressPrinter } from '../progress';

export const sampleCommand: CliCommand = {
  summary: 'write a synthetic sample project: video, frames and MW/NM/ND ground truth in every format',
  usage: [
    'DIR                  the project folder to create (must be new or empty)',
    `--frames N           frames in the clip (default ${SAMPLE_DEFAULTS.frames})`,
    `--fps F              frames per second (default ${SAMPLE_DEFAULTS.fps})`,
    `--width W --height H frame size in pixels, even numbers (default ${SAMPLE_DEFAULTS.width}x${SAMPLE_DEFAULTS.height})`,
    `--seed S             another seed gives another clip (default ${SAMPLE_DEFAULTS.seed})`,
    '--label-noise P      also write annotations with a fraction P of wrong labels, and the list of them',
    `--noise-shape S      the shape of those mistakes: ${NOISE_SHAPES.join(', ')} (runs of 1-12 frames of a track,`,
    '                     single boxes, stretches of 4-12 frames, whole tracks; default runs)',
    '--frames-dir         also write every frame as a JPEG file',
    '--force              replace DIR if it is not empty',
  ],
  options: {
    frames: { type: 'string' },
    fps: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    seed: { type: 'string' },
    'label-noise': { type: 'string' },
    'noise-shape': { type: 'string' },
    'frames-dir': { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, names: 'DIR' },

  async run(args, { json, output }, positionals) {
    const options = given({
      ...Object.fromEntries(NUMBERS.map((key) => [key, number(args[flagOf(key)!.slice(2)], key)])),
      framesDir: args['frames-dir'] === true,
      noiseShape: args['noise-shape'],
    });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    try {
      const summary = await generateSample(positionals[0]!, options, { signal: controller.signal, ...progressPrinter(output, json) }, args.force === true);
      if (json) output.out(JSON.stringify(summary));
      else {
        const labels = Object.entries(summary.labels)
          .map(([name, count]) => `${name} ${count}`)
          .join(', ');
        output.out(
          `Wrote the sample project to ${summary.path}\n` +
            `  ${summary.frames} frames at ${summary.width}x${summary.height}, ${summary.fps} fps; ${summary.people} people; ${summary.boxes} boxes (${labels})\n` +
            (summary.labelNoise
              ? `  label noise: ${summary.labelNoise.relabelled} boxes relabelled, ${summary.labelNoise.shifted} shifted (${samplePaths(summary.path).labelNoise})\n`
              : '') +
            `  ${summary.seconds} s in all; ${summary.framesPerSecond} frames/s rendered and encoded`,
        );
      }
      return 0;
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      output.err('maskbench: sample cancelled; nothing was written');
      return 130;
    } finally {
      process.off('SIGINT', stop);
    }
  },
};
