import { NextResponse } from 'next/server';
import { adminServices } from '../../../src/server/services';

export const dynamic = 'force-dynamic';

/** Liveness with a real round trip to the database; says which kind, never where or as whom. */
export async function GET() {
  try {
    const s = await adminServices();
    await s.prisma.$queryRaw`SELECT 1`;
    const database = s.config.databaseUrl ? 'postgres' : 'embedded';
    return NextResponse.json(
      { service: 'opendescent-admin', status: 'ok', database },
      { headers: { 'Cache-Control': 'no-store' } },
    );
  } catch {
    return NextResponse.json(
      { service: 'opendescent-admin', status: 'unavailable' },
      { status: 503, headers: { 'Cache-Control': 'no-store' } },
    );
  }
}
