/**
 * One Pascal VOC annotation file (`Annotations/<id>.xml`): image size, objects with class name and
 * `bndbox`. The format is flat and regular, so it is read with a few patterns instead of an XML library.
 * Coordinates are taken as written (xmin, ymin, xmax, ymax in pixels) and checked by `checkBox`
 * (box-annotation.ts): inverted or outside boxes are errors, zero-area ones (BCCD has two) are dropped.
 */
import { readFile } from 'node:fs/promises';
import { MedattnDataError } from '../io/errors.js';
import { checkBox, type BoxAnnotation, type BoxObject } from './box-annotation.js';

export type VocObject = BoxObject;
export type VocAnnotation = BoxAnnotation;

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml)?.[1];
}

function numberTag(xml: string, name: string, file: string, where: string): number {
  const text = tag(xml, name);
  const v = text === undefined ? NaN : Number(text);
  if (text === undefined || text === '' || !Number.isFinite(v))
    throw new MedattnDataError(
      file,
      `${where}: <${name}> ${text === undefined ? 'missing' : `'${text}' is not a number`}`,
    );
  return v;
}

/** Parses the text of an annotation file; `file` names it in errors. */
export function parseVocAnnotation(xml: string, file: string): VocAnnotation {
  if (!/<annotation[\s>]/.test(xml)) throw new MedattnDataError(file, 'not a Pascal VOC annotation (no <annotation>)');
  const header = xml.replace(/<object>[\s\S]*?<\/object>/g, '');
  const sizeXml = /<size>([\s\S]*?)<\/size>/.exec(header)?.[1];
  if (sizeXml === undefined) throw new MedattnDataError(file, '<size> missing');
  const width = numberTag(sizeXml, 'width', file, '<size>');
  const height = numberTag(sizeXml, 'height', file, '<size>');
  if (!(width > 0 && height > 0)) throw new MedattnDataError(file, `<size> ${width}x${height} is not a positive size`);
  const objects: VocObject[] = [];
  let dropped = 0;
  const blocks = xml.match(/<object>[\s\S]*?<\/object>/g) ?? [];
  blocks.forEach((block, i) => {
    const name = tag(block, 'name');
    const where = `object ${i + 1}${name ? ` (${name})` : ''}`;
    if (!name) throw new MedattnDataError(file, `${where}: <name> missing`);
    const bnd = /<bndbox>([\s\S]*?)<\/bndbox>/.exec(block)?.[1];
    if (bnd === undefined) throw new MedattnDataError(file, `${where}: <bndbox> missing`);
    const [x1, y1, x2, y2] = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => numberTag(bnd, k, file, where));
    if (!checkBox([x1, y1, x2, y2], width, height, file, where)) {
      dropped++;
      return;
    }
    objects.push({ name, box: [x1, y1, x2, y2], difficult: tag(block, 'difficult') === '1' });
  });
  const filename = tag(header, 'filename');
  return { file, ...(filename ? { filename } : {}), width, height, objects, dropped };
}

export async function readVocAnnotation(file: string): Promise<VocAnnotation> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new MedattnDataError(file, `annotation not readable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseVocAnnotation(text, file);
}
