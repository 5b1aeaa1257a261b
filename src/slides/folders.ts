// Slides of many objects. A DICOM WSI is a series of .dcm files (one per level, plus label and
// overview) that OpenSlide reads only together, from one directory: a folder slide, whose key
// is the folder's prefix, ending in `/`. A 3DHISTECH MRXS slide is its .mrxs file plus a data
// folder beside it of the same name (Slidedat.ini and Data*.dat): the .mrxs is the slide, the
// folder its companion. Pure, so the bridge, the CLI and planSlide agree on them.

/** Objects of these types are parts of their folder's slide, never slides of their own. */
export const FOLDER_PART_SUFFIXES = ['.dcm'] as const;

/** A key ending in `/` names a folder slide. */
export const isFolderKey = (key: string): boolean => key.endsWith('/');

/**
 * The slide an uploaded object belongs to: its folder for a part of a folder slide
 * (`case-7/level-0.dcm` -> `case-7/`), the object itself otherwise. A part at the bucket's
 * root has no folder, and stays a slide of its own.
 */
export function slideKeyOfObject(key: string): string {
  const lower = key.toLowerCase();
  if (!FOLDER_PART_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return key;
  const slash = key.lastIndexOf('/');
  return slash > 0 ? key.slice(0, slash + 1) : key;
}

/** The folder an MRXS slide's data lives in (`case/slide.mrxs` -> `case/slide/`), if any. */
export function companionFolderOf(key: string): string | undefined {
  return key.toLowerCase().endsWith('.mrxs') ? `${key.slice(0, -'.mrxs'.length)}/` : undefined;
}

/**
 * Why an uploaded object is part of another slide and starts none itself, if it is: an MRXS
 * data folder's files (its .mrxs starts the slide, which waits for its folder to settle).
 */
export function partOfAnotherSlide(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  if (name === 'slidedat.ini' || name.endsWith('.dat'))
    return "is part of an MRXS slide's data folder: its .mrxs starts the slide";
  return undefined;
}
