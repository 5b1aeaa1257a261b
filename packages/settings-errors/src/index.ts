// How a failed zod validation of settings reads to a person: one line per bad field,
// `NAME: message`. The orchestrator, the processor and the local ECS all use it; zod is imported
// for its types only, so this package adds no runtime dependency.
import type { ZodError } from 'zod';

type Issue = ZodError['issues'][number];

/** One issue as `path: message`. A union's own message is only "Invalid input": spell out each alternative. */
export function describeIssue(issue: Issue, topLevel = '(settings)'): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : topLevel;
  const detail =
    issue.code === 'invalid_union' && issue.errors.length > 0
      ? issue.errors.map((branch) => branch.map((i) => i.message).join(', ')).join(' | or | ')
      : issue.message;
  return `${field}: ${detail}`;
}

/** Every issue of `error`, one `path: message` each. */
export function describeIssues(error: ZodError, topLevel?: string): string[] {
  return error.issues.map((issue) => describeIssue(issue, topLevel));
}

/** `title:` then one indented `NAME: message` line per problem: the text of a settings error. */
export function formatSettingsProblems(title: string, problems: string[]): string {
  return `${title}:\n${problems.map((p) => `  ${p}`).join('\n')}`;
}

/** The settings error for a failed parse of the environment, naming every bad variable. */
export function formatSettingsError(title: string, error: ZodError): string {
  return formatSettingsProblems(title, describeIssues(error));
}
