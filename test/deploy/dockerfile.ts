// A reader for the few Dockerfile instructions this repository uses, so the images can be checked
// without a Docker engine: what each stage copies from the context or from another stage, what it
// runs, and what the final image starts.
import { readFileSync } from 'node:fs';

export interface Copy {
  /** The stage copied from (`--from=`), or undefined for the build context. */
  from?: string;
  sources: string[];
  destination: string;
}

export interface Run {
  command: string;
  /** Every context file copied into the stage before this command ran. */
  copiedBefore: string[];
}

export interface Stage {
  name?: string;
  workdir: string;
  copies: Copy[];
  runs: Run[];
  /** ENTRYPOINT then CMD, as exec-form arrays. */
  entrypoint: string[];
  cmd: string[];
}

/** Joins continuation lines and drops comments: one instruction per entry. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function readDockerfile(file: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of instructions(readFileSync(file, 'utf8'))) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const stage = stages[stages.length - 1];
    switch (keyword.toUpperCase()) {
      case 'FROM': {
        const as = /\sAS\s+(\S+)$/i.exec(args);
        stages.push({ name: as?.[1], workdir: '/', copies: [], runs: [], entrypoint: [], cmd: [] });
        break;
      }
      case 'WORKDIR':
        if (stage) stage.workdir = args;
        break;
      case 'COPY': {
        const words = rest.filter((w) => !w.startsWith('--') || w.startsWith('--from='));
        const from = words[0]?.startsWith('--from=') ? words.shift()?.slice('--from='.length) : undefined;
        const destination = words.pop() ?? '';
        stage?.copies.push({ from, sources: words, destination });
        break;
      }
      case 'RUN':
        stage?.runs.push({
          command: args,
          copiedBefore: stage.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources),
        });
        break;
      case 'ENTRYPOINT':
        if (stage) stage.entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        if (stage) stage.cmd = JSON.parse(args) as string[];
        break;
    }
  }
  return stages;
}

/** The `--workspace=` values of an `npm ci` command. */
export function workspacesOf(run: string): string[] {
  return [...run.matchAll(/--workspace=(\S+)/g)].map((m) => m[1] as string);
}

/** A path as the image has it, relative to its workdir (`/app/x` or `./x` → `x`). */
export function inImage(stage: Stage, file: string): string {
  const prefix = `${stage.workdir.replace(/\/$/, '')}/`;
  const relative = file.startsWith(prefix) ? file.slice(prefix.length) : file;
  return relative.replace(/^\.\//, '').replace(/\/$/, '');
}
