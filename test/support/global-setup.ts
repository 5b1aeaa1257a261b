// Jest global set-up: make sure the pinned Temporal binaries and moto are installed, so a
// bare `npx jest` works as well as `npm test`.
import { ensureTools } from '../../dev/tools/binaries';

export default function globalSetup(): void {
  ensureTools({ log: () => undefined });
}
