// The README is the front door and docs/ is where it leads: every relative link in the
// repository's Markdown must reach a file in the repository (a clone has nothing beside it), and
// every #anchor must name a heading of the page it points at.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../dev/tools/binaries';

interface MarkdownLink {
  readonly file: string;
  readonly target: string;
}

const markdownFiles = execFileSync('git', ['ls-files', '*.md'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '');

/** The page's text outside fenced code blocks, where `](...)` is code, not a link. */
function prose(file: string): string {
  return readFileSync(path.join(PROJECT_ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

function linksIn(file: string): MarkdownLink[] {
  return [...prose(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => ({ file, target: target! }))
    .filter(({ target }) => !/^[a-z]+:/i.test(target));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(file).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[`*_[\]]|\]\([^)]*\)/g, '')
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Repository-relative path a link points at: `/x` is from the repository's root, as on GitHub. */
function resolveTarget({ file, target }: MarkdownLink): string {
  const [filePart] = target.split('#');
  if (!filePart) return file;
  return filePart.startsWith('/')
    ? path.normalize(filePart.slice(1))
    : path.normalize(path.join(path.dirname(file), filePart));
}

const links = markdownFiles.flatMap(linksIn);

describe('links in the repository’s Markdown', () => {
  it('finds the README and docs/ among the pages it checks', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md']));
    expect(links.filter((link) => link.file === 'README.md').length).toBeGreaterThan(5);
  });

  it('never leaves the repository', () => {
    const leaving = links.filter((link) => resolveTarget(link).startsWith('..'));
    expect(leaving).toEqual([]);
  });

  it('reaches a file or folder that exists', () => {
    const broken = links.filter((link) => !existsSync(path.join(PROJECT_ROOT, resolveTarget(link))));
    expect(broken).toEqual([]);
  });

  it('names a heading of the Markdown page it points at', () => {
    const dangling = links.filter((link) => {
      const anchor = link.target.split('#')[1];
      const page = resolveTarget(link);
      const full = path.join(PROJECT_ROOT, page);
      if (!anchor || !page.endsWith('.md') || !existsSync(full) || statSync(full).isDirectory()) return false;
      return !anchorsOf(page).has(anchor);
    });
    expect(dangling).toEqual([]);
  });

  it('keeps the README a front door of at most about 12 KB', () => {
    expect(statSync(path.join(PROJECT_ROOT, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
  });
});
