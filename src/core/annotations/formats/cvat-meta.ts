import type { AnnotationSet } from '../../../shared/annotations';
import { children, text, type XmlNode } from './xml-source';
import type { TaskRange } from './cvat-task-frames';
import { escapeXml, keptElements } from './xml-text';

export interface CvatTaskInfo {
  name: string;
  mode: 'interpolation' | 'annotation';
  /** The media file, for CVAT for video's <source>. */
  source?: string;
  colors?: Record<string, string>;
}

/** The colour of a label declared without one. */
export const DEFAULT_COLOR = '#808080';

/** The names of the box attributes used anywhere in the set, so the meta can declare them. */
function attributeNames(set: AnnotationSet): string[] {
  const names = new Set<string>();
  for (const track of set.tracks) for (const box of track.boxes) for (const name of Object.keys(box.attributes ?? {})) names.add(name);
  return [...names].sort();
}

/**
 * The <meta> block both CVAT formats share. Each label declares `track_id`, the attribute that carries a
 * person's identity in formats (and CVAT tracks split at label changes) that have no other place for it,
 * and every other attribute the boxes use; the labels of kept shapes are declared as the import read them.
 * `set` is the task's (see taskView): its frames are the task's, `range` where they are in the video.
 */
export function cvatMeta(set: AnnotationSet, task: CvatTaskInfo, range: TaskRange): string {
  const declared = [
    { name: 'track_id', mutable: 'False', input: 'number', defaultValue: '0', values: '0;1000000;1' },
    ...attributeNames(set).map((name) => ({ name, mutable: 'True', input: 'text', defaultValue: '', values: '' })),
  ];
  const attributeXml = declared
    .map(
      (attribute) => `          <attribute>
            <name>${escapeXml(attribute.name)}</name>
            <mutable>${attribute.mutable}</mutable>
            <input_type>${attribute.input}</input_type>
            <default_value>${attribute.defaultValue}</default_value>
            <values>${attribute.values}</values>
          </attribute>`,
    )
    .join('\n');
  // Own properties only: a label with no colour given, named "constructor", must not find Object's.
  const colorOf = (name: string) => (task.colors && Object.hasOwn(task.colors, name) ? task.colors[name]! : DEFAULT_COLOR);
  // A label that kept shapes use too (a polyline's, say) is declared as CVAT lets both kinds use it, with
  // the attributes its kept declaration gives them as well.
  const kept = new Map((set.extra?.cvatShapes?.labels ?? []).map((label) => [text(label.name), label]));
  const own = new Set(declared.map((attribute) => attribute.name));
  const labels = set.labels
    .map((name) => {
      const shared = kept.get(name);
      const more = children((shared?.attributes ?? {}) as XmlNode, 'attribute').filter((attribute) => !own.has(text(attribute.name)));
      return `        <label>
          <name>${escapeXml(name)}</name>
          <color>${escapeXml(colorOf(name))}</color>
          <type>${shared ? 'any' : 'rectangle'}</type>
          <attributes>
${attributeXml}
${more.length ? keptElements({ attribute: more }, '          ') : ''}          </attributes>
        </label>`;
    })
    .join('\n');
  const keptLabels = [...kept].filter(([name]) => !set.labels.includes(name)).map(([, label]) => label);
  return `  <meta>
    <task>
      <name>${escapeXml(task.name)}</name>
      <size>${set.frameCount}</size>
      <mode>${task.mode}</mode>
      <overlap>0</overlap>
      <start_frame>${range.start}</start_frame>
      <stop_frame>${range.stop}</stop_frame>
      <frame_filter>${range.step > 1 ? `step=${range.step}` : ''}</frame_filter>
      <labels>
${labels}
${keptLabels.length ? keptElements({ label: keptLabels }, '        ') : ''}      </labels>
      <original_size>
        <width>${set.width}</width>
        <height>${set.height}</height>
      </original_size>
    </task>${task.source ? `\n    <source>${escapeXml(task.source)}</source>` : ''}
  </meta>`;
}
