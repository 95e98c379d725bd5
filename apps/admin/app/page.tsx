import { redirect } from 'next/navigation';
import { currentAdmin } from '../src/server/pages';
import { adminServices } from '../src/server/services';

export const dynamic = 'force-dynamic';

export default async function AdminHome() {
  const signedIn = await currentAdmin(await adminServices()).catch(() => undefined);
  redirect(signedIn ? '/members' : '/sign-in');
}
