// ECS's list calls return pages and its describe calls take at most 100 ARNs: the two loops
// every caller needs, written once.

/** ECS's limit on ARNs in one DescribeTasks / DescribeContainerInstances call. */
export const MAX_ARNS_PER_CALL = 100;

/** Every page of a paginated ECS list call. */
export async function allPages<T>(
  page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>,
) {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const out = await page(nextToken);
    items.push(...(out.items ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return items;
}

/** Calls `fn` on consecutive slices of at most `size` items. */
export async function inChunks<T, R>(
  items: T[],
  size: number,
  fn: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await fn(items.slice(i, i + size))));
  return out;
}
