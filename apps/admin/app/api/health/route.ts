import { NextResponse } from 'next/server';
import { adminDatabase } from '../../../src/server/db/instance';

export const dynamic = 'force-dynamic';

/** Liveness with a real round trip to the database; says which kind, never where or as whom. */
export async function GET() {
  try {
    const db = await adminDatabase();
    await db.prisma.$queryRaw`SELECT 1`;
    return NextResponse.json({ service: 'opendescent-admin', status: 'ok', database: db.kind }, { headers: { 'Cache-Control': 'no-store' } });
  } catch {
    return NextResponse.json({ service: 'opendescent-admin', status: 'unavailable' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  }
}
