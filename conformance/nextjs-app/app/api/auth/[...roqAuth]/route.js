// The auth routes, exactly as ROQ's docs set them up: login, signup, callback, logout,
// session, refetch-session (and password, which is broken under the App Router).
import { RoqAuth } from '@roq/nextjs';

// The handler reads ROQ_* from the environment at request time (`next start`), never at build.
export const dynamic = 'force-dynamic';

const handler = RoqAuth({});

export { handler as GET, handler as POST };
