import { loadSettings } from '../../src/settings/settings';
import { parseTaskDefinitionRoutes, routeTaskDefinition } from '../../src/slides/routing';

describe('routing slides to processors by key suffix', () => {
  const routes = parseTaskDefinitionRoutes(
    '.svs=wsi-openslide, .NDPI=wsi-openslide:3, .tif=wsi-processor, .ome.tif=arn:aws:ecs:us-east-1:123456789012:task-definition/ome:2',
  );

  test('the longest matching suffix wins, whatever the case', () => {
    expect(routeTaskDefinition(routes, 'lab/Case 1.SVS')).toBe('wsi-openslide');
    expect(routeTaskDefinition(routes, 'lab/a.ndpi')).toBe('wsi-openslide:3');
    expect(routeTaskDefinition(routes, 'lab/a.tif')).toBe('wsi-processor');
    expect(routeTaskDefinition(routes, 'lab/a.ome.tif')).toBe(
      'arn:aws:ecs:us-east-1:123456789012:task-definition/ome:2',
    );
    expect(routeTaskDefinition(routes, 'lab/a.png')).toBeUndefined();
    expect(routeTaskDefinition([], 'lab/a.svs')).toBeUndefined();
  });

  test('`/` routes folder slides (a DICOM series), and only them', () => {
    const withFolders = parseTaskDefinitionRoutes('.svs=wsi-openslide,/=wsi-openslide-dicom');
    expect(routeTaskDefinition(withFolders, 'lab/case 7/')).toBe('wsi-openslide-dicom');
    expect(routeTaskDefinition(withFolders, 'lab/case 7/level-0.dcm')).toBeUndefined();
    expect(routeTaskDefinition(routes, 'lab/case 7/')).toBeUndefined();
    expect(() => parseTaskDefinitionRoutes('//=x')).toThrow(/"\/\/=x": expected/);
  });

  test('a bad entry is refused, naming it and the setting', () => {
    expect(() => parseTaskDefinitionRoutes('svs=wsi-openslide')).toThrow(
      /"svs=wsi-openslide": expected \.suffix=taskDefinition/,
    );
    expect(() => parseTaskDefinitionRoutes('.svs=')).toThrow(/expected/);
    expect(() => parseTaskDefinitionRoutes('.svs=a,.SVS=b')).toThrow(/\.svs is routed twice/);
    expect(() => loadSettings({ ECS_TASK_DEFINITION_ROUTES: '.svs' })).toThrow(/ECS_TASK_DEFINITION_ROUTES/);
    expect(loadSettings({}).ecs.taskDefinitionRoutes).toEqual([]);
    expect(
      loadSettings({ ECS_TASK_DEFINITION_ROUTES: '.svs=wsi-openslide' }).ecs.taskDefinitionRoutes,
    ).toEqual([{ suffix: '.svs', taskDefinition: 'wsi-openslide' }]);
  });
});
