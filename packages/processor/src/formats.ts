// What this processor cannot read, and where such a slide belongs. It reads plain (tiled) TIFF
// and the images libvips decodes; vendor formats (Aperio SVS, often JPEG 2000 inside,
// Hamamatsu NDPI, 3DHISTECH MRXS, Leica SCN, Ventana BIF, DICOM WSI) are the OpenSlide
// processor's (packages/processor-openslide). A failure on one of them is a bad slide for
// this processor (exit 65, never retried), with a message that names the right one.
import { errorMessage, ProcessorError, SlideFormatError } from './errors';

/** Key suffixes of the formats only OpenSlide reads (lower case). */
export const OPENSLIDE_SUFFIXES = ['.svs', '.ndpi', '.mrxs', '.scn', '.bif', '.dcm', '.vms', '.vmu'] as const;

/** libvips's words for a codec it was built without. */
const MISSING_CODEC = /jpeg ?2000|jp2k|openjpeg|built without/i;

export function openSlideSuffixOf(key: string): string | undefined {
  const lower = key.toLowerCase();
  return OPENSLIDE_SUFFIXES.find((s) => lower.endsWith(s));
}

/** The error to exit with when reading or tiling `key` failed with `err`. */
export function asFormatError(key: string, err: unknown): unknown {
  if (err instanceof ProcessorError && !(err instanceof SlideFormatError)) return err;
  const suffix = openSlideSuffixOf(key);
  if (suffix === undefined && !(err instanceof SlideFormatError) && !MISSING_CODEC.test(errorMessage(err)))
    return err;
  const format = suffix ? `a ${suffix} slide` : 'a slide in a codec libvips lacks here';
  return new SlideFormatError(
    `${errorMessage(err)}: ${key} is ${format}, which this processor (plain tiled TIFF, via libvips) cannot read; ` +
      'send it to the OpenSlide processor (packages/processor-openslide): ECS_TASK_DEFINITION_ROUTES maps key suffixes to it, or set taskDefinition in the slide input',
    { cause: err },
  );
}
