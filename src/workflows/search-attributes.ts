// Custom search attributes, so the Temporal Web UI can filter slides by key and phase.
// Registered with the dev server at start-up (dev/temporal/environment.ts); on a real
// cluster, register them once with `temporal operator search-attribute create`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SLIDE_BUCKET = defineSearchAttributeKey('SlideBucket', SearchAttributeType.KEYWORD);
export const SLIDE_KEY = defineSearchAttributeKey('SlideKey', SearchAttributeType.KEYWORD);
export const SLIDE_PHASE = defineSearchAttributeKey('SlidePhase', SearchAttributeType.KEYWORD);
export const SLIDE_TIER = defineSearchAttributeKey('SlideTier', SearchAttributeType.KEYWORD);
export const SLIDE_ATTEMPTS = defineSearchAttributeKey('SlideAttempts', SearchAttributeType.INT);

export const ALL_SEARCH_ATTRIBUTES = [SLIDE_BUCKET, SLIDE_KEY, SLIDE_PHASE, SLIDE_TIER, SLIDE_ATTEMPTS];
