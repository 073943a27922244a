// Changes the logged-in user's password through the Platform (server GraphQL), the way
// @roq/nextjs's own /api/auth/password route intends to but cannot under the App Router (it
// indexes NextRequest.cookies like a plain object and so never finds the session).
import { NextResponse } from 'next/server';
import { getServerSession } from '@roq/nextjs';
import { Platform } from '@roq/nodejs';

export const dynamic = 'force-dynamic';

export async function POST(request) {
  const session = await getServerSession();
  if (!session) {
    return NextResponse.json({ success: false, error: 'not authenticated' }, { status: 401 });
  }
  let body;
  try {
    body = await request.json();
  } catch {
    return NextResponse.json({ success: false, error: 'the body must be JSON' }, { status: 400 });
  }
  const { currentPassword, newPassword } = body ?? {};
  const platform = new Platform({
    host: process.env.ROQ_PLATFORM_URL,
    environmentId: process.env.ROQ_CLIENT_ID,
    apiKey: process.env.ROQ_CLIENT_SECRET,
  });
  try {
    const data = await platform.asSuperAdmin().changeUserPassword({
      data: { userId: session.roqUserId, password: currentPassword, newPassword },
    });
    return NextResponse.json({ success: true, data });
  } catch (err) {
    return NextResponse.json(
      {
        success: false,
        error: err?.message ?? String(err),
        statusCode: err?.statusCode ?? null,
        errorCode: err?.errorCode ?? null,
      },
      { status: 400 },
    );
  }
}
