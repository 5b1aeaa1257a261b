// Folder slides: a slide that is a folder of objects rather than one object. A DICOM WSI is a
// series of .dcm files (one per level, plus label and overview) that OpenSlide reads only
// together, from one directory. Its slide key is the folder's prefix, ending in `/`. Pure, so
// the bridge, the CLI and planSlide agree on it.

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
