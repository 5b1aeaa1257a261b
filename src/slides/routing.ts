// Which processor a slide goes to, by its key's suffix: ECS_TASK_DEFINITION_ROUTES maps
// suffixes to task definitions (e.g. `.svs=wsi-openslide,.ndpi=wsi-openslide`), so a lab's
// vendor slides reach the OpenSlide processor and plain TIFF stays with the default one.
// A slide input's own taskDefinition always wins. Pure, so every route in agrees.
// The suffix `/` routes folder slides (a key ending in `/`, e.g. a DICOM WSI series: the
// bridge turns an uploaded `.dcm` into its folder, src/slides/folders.ts).

export interface TaskDefinitionRoute {
  /** Lower case, with its dot: `.svs`, `.ome.tif`; or `/` for folder slides. */
  suffix: string;
  taskDefinition: string;
}

/** Family, family:revision or ARN, as ECS accepts them. */
const TASK_DEFINITION = /^[A-Za-z0-9_:/.-]{1,1600}$/;
const SUFFIX = /^(\.[A-Za-z0-9._-]{1,32}|\/)$/;

/** Parses `suffix=taskDefinition` pairs, comma-separated; throws naming the bad entry. */
export function parseTaskDefinitionRoutes(text: string): TaskDefinitionRoute[] {
  const routes: TaskDefinitionRoute[] = [];
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [suffix = '', taskDefinition = '', ...rest] = entry.split('=').map((p) => p.trim());
    if (rest.length > 0 || !SUFFIX.test(suffix) || !TASK_DEFINITION.test(taskDefinition)) {
      throw new Error(
        `"${entry}": expected .suffix=taskDefinition (or /=taskDefinition for folders), e.g. .svs=wsi-openslide`,
      );
    }
    const lower = suffix.toLowerCase();
    if (routes.some((r) => r.suffix === lower)) throw new Error(`"${entry}": ${lower} is routed twice`);
    routes.push({ suffix: lower, taskDefinition });
  }
  return routes;
}

/** The task definition for `key`: the longest matching suffix's (case-insensitive), if any. */
export function routeTaskDefinition(routes: readonly TaskDefinitionRoute[], key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: TaskDefinitionRoute | undefined;
  for (const r of routes) {
    if (lower.endsWith(r.suffix) && (!best || r.suffix.length > best.suffix.length)) best = r;
  }
  return best?.taskDefinition;
}

/**
 * The key suffixes that name slides only the OpenSlide processor reads: the vendor formats
 * (their metadata and codecs, JPEG 2000 included), a single DICOM file, and `/` for folder
 * slides (a DICOM WSI series). Plain TIFF stays with the default processor. `npm start`, compose
 * and the CDK app route these by default.
 */
export const OPENSLIDE_SUFFIXES: readonly string[] = [
  '.svs',
  '.ndpi',
  '.vms',
  '.vmu',
  '.mrxs',
  '.scn',
  '.bif',
  '.svslide',
  '.dcm',
  '/',
];

/** ECS_TASK_DEFINITION_ROUTES sending `suffixes` to `taskDefinition`, checked by the parser. */
export function routesTo(taskDefinition: string, suffixes: readonly string[]): string {
  const text = suffixes.map((suffix) => `${suffix.trim()}=${taskDefinition}`).join(',');
  parseTaskDefinitionRoutes(text);
  return text;
}
