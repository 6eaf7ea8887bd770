import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export interface PhotoBox {
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface Photo {
  name: string;
  width: number;
  height: number;
  /** The photo's background; each box is painted in its own colour, so a crop shows where it was cut. */
  color: [number, number, number];
  boxes: (PhotoBox & { color: [number, number, number] })[];
}

/**
 * Photos of different sizes, like the public face-mask sets (the tall one's box reaches below the first
 * photo's height, as in issue 17; one box has corners to a tenth and a thousandth of a pixel, as some
 * tools write them). Names sort in this order.
 */
export const PHOTOS: Photo[] = [
  {
    name: 'maksssksksss0.png',
    width: 512,
    height: 366,
    color: [40, 40, 40],
    boxes: [
      { label: 'with_mask', xmin: 79, ymin: 105, xmax: 109, ymax: 142, color: [250, 0, 0] },
      { label: 'without_mask', xmin: 185, ymin: 100, xmax: 226, ymax: 144, color: [0, 250, 0] },
    ],
  },
  {
    name: 'maksssksksss1.png',
    width: 301,
    height: 400,
    color: [90, 90, 90],
    boxes: [{ label: 'with_mask', xmin: 75, ymin: 271, xmax: 152, ymax: 385, color: [0, 0, 250] }],
  },
  {
    name: 'maksssksksss2.png',
    width: 640,
    height: 240,
    color: [140, 140, 140],
    boxes: [
      { label: 'mask_weared_incorrect', xmin: 560, ymin: 20, xmax: 640, ymax: 110, color: [250, 250, 0] },
      { label: 'with_mask', xmin: 10.5, ymin: 150.237, xmax: 60, ymax: 210.125, color: [0, 250, 250] },
    ],
  },
];

/** A VOC file as LabelImg and the Kaggle face-mask set write them. */
export function vocXml(photo: Photo, size = { width: photo.width, height: photo.height }): string {
  const objects = photo.boxes.map(
    (box) => `    <object>
        <name>${box.label}</name>
        <pose>Unspecified</pose>
        <truncated>0</truncated>
        <occluded>0</occluded>
        <difficult>0</difficult>
        <bndbox>
            <xmin>${box.xmin}</xmin>
            <ymin>${box.ymin}</ymin>
            <xmax>${box.xmax}</xmax>
            <ymax>${box.ymax}</ymax>
        </bndbox>
    </object>
`,
  );
  return `<annotation>
    <folder>images</folder>
    <filename>${photo.name}</filename>
    <size>
        <width>${size.width}</width>
        <height>${size.height}</height>
        <depth>3</depth>
    </size>
    <segmented>0</segmented>
${objects.join('')}</annotation>
`;
}

/** Writes the photos into `folder/images` and their VOC files into `folder/annotations`; returns both paths. */
export async function writePhotoCollection(folder: string, photos = PHOTOS): Promise<{ images: string; voc: string }> {
  const images = join(folder, 'images');
  const voc = join(folder, 'annotations');
  await mkdir(images, { recursive: true });
  await mkdir(voc, { recursive: true });
  for (const photo of photos) {
    const boxes = await Promise.all(
      photo.boxes.map(async (box) => {
        // Painted on whole pixels: a box's fractions of a pixel are only in its annotation.
        const [left, top, right, bottom] = [box.xmin, box.ymin, box.xmax, box.ymax].map(Math.round) as [number, number, number, number];
        const background = { r: box.color[0], g: box.color[1], b: box.color[2] };
        return {
          input: await sharp({ create: { width: right - left, height: bottom - top, channels: 3, background } })
            .png()
            .toBuffer(),
          left,
          top,
        };
      }),
    );
    const [r, g, b] = photo.color;
    await sharp({ create: { width: photo.width, height: photo.height, channels: 3, background: { r, g, b } } })
      .composite(boxes)
      .png()
      .toFile(join(images, photo.name));
    await writeFile(join(voc, photo.name.replace(/\.png$/, '.xml')), vocXml(photo));
  }
  return { images, voc };
}
