// next-auth v4's route handler (App Router) with Tandem as its OpenID Connect provider.
import NextAuth from 'next-auth';

import { authOptions } from '../../../nextauth/auth-options';

// The options read the environment at request time (`next start`), never at build.
export const dynamic = 'force-dynamic';

function handler(req, context) {
  return NextAuth(req, context, authOptions());
}

export { handler as GET, handler as POST };
