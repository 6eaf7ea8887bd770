import type { AnnotationSet } from '../../../shared/annotations';
import { escapeXml } from './xml-text';

export interface CvatTaskInfo {
  name: string;
  mode: 'interpolation' | 'annotation';
  /** The media file, for CVAT for video's <source>. */
  source?: string;
  colors?: Record<string, string>;
}

/**
 * The <meta> block both CVAT formats share. Each label declares `track_id`, the attribute that carries a
 * person's identity in formats (and CVAT tracks split at label changes) that have no other place for it.
 */
export function cvatMeta(set: AnnotationSet, task: CvatTaskInfo): string {
  const labels = set.labels
    .map(
      (name) => `      <label>
        <name>${escapeXml(name)}</name>
        <color>${escapeXml(task.colors?.[name] ?? '#808080')}</color>
        <type>rectangle</type>
        <attributes>
          <attribute>
            <name>track_id</name>
            <mutable>False</mutable>
            <input_type>number</input_type>
            <default_value>0</default_value>
            <values>0;1000000;1</values>
          </attribute>
        </attributes>
      </label>`,
    )
    .join('\n');
  return `  <meta>
    <task>
      <name>${escapeXml(task.name)}</name>
      <size>${set.frameCount}</size>
      <mode>${task.mode}</mode>
      <overlap>0</overlap>
      <start_frame>0</start_frame>
      <stop_frame>${Math.max(0, set.frameCount - 1)}</stop_frame>
      <frame_filter></frame_filter>
      <labels>
${labels}
      </labels>
      <original_size>
        <width>${set.width}</width>
        <height>${set.height}</height>
      </original_size>
    </task>${task.source ? `\n    <source>${escapeXml(task.source)}</source>` : ''}
  </meta>`;
}
