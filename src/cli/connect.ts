// A Temporal client for one command, closed afterwards; an unreachable server is exit 3.
import type { Client } from '@temporalio/client';
import { connectClient } from '../temporal/connection';
import { EXIT, ExitError } from './exit';

export async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient();
  } catch (err) {
    throw new ExitError(
      `cannot reach Temporal at ${process.env.TEMPORAL_ADDRESS ?? 'localhost:7233'}: ${(err as Error).message}`,
      EXIT.unreachable,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}
