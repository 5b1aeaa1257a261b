// Value rules ECS applies to request members shared by several actions.
import { invalidParameter, clientError, type EcsError } from './protocol';
import type { TagInput } from './requests';

export interface CheckedTag {
  key: string;
  value: string;
}

/** ECS: up to 36 letters, digits, hyphens, forward slashes and underscores. */
export function checkStartedBy(startedBy: string | undefined): void {
  if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,36}$/.test(startedBy)) {
    throw invalidParameter(
      'startedBy must be up to 36 letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores.',
    );
  }
}

/** ECS: up to 64 ASCII characters. */
export function checkClientToken(token: string | undefined): void {
  if (token !== undefined && !/^[\x20-\x7e]{1,64}$/.test(token)) {
    throw invalidParameter('clientToken must be 1 to 64 ASCII characters.');
  }
}

export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * ECS tag rules: at most 50, keys 1-128 characters, values up to 256, and the `aws:` prefix
 * reserved. `makeError` picks the exception the calling action uses.
 */
export function checkTags(
  tags: TagInput[] | undefined,
  makeError: (message: string) => EcsError = invalidParameter,
): CheckedTag[] {
  if (tags === undefined) return [];
  if (tags.length > 50) throw makeError('Too many tags: at most 50 are allowed.');
  const out: CheckedTag[] = [];
  for (const tag of tags) {
    const key = tag.key ?? '';
    const value = tag.value ?? '';
    if (key.length < 1 || key.length > 128) throw makeError('Tag keys must be 1 to 128 characters.');
    if (value.length > 256) throw makeError('Tag values must be at most 256 characters.');
    if (/^aws:/i.test(key)) throw makeError("Tag keys starting with 'aws:' are reserved.");
    out.push({ key, value });
  }
  return out;
}

export const checkTaskDefinitionTags = (tags: TagInput[] | undefined): CheckedTag[] =>
  checkTags(tags, clientError);

/** `[{name, value}]` → a map; names are required, as ECS requires them. */
export function environmentMap(
  pairs: { name?: string; value?: string }[] | undefined,
  makeError: (message: string) => EcsError,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    if (!pair.name) throw makeError('Environment variable names should not be null or empty.');
    env[pair.name] = pair.value ?? '';
  }
  return env;
}
