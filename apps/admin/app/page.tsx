import { redirect } from 'next/navigation';

export default function AdminHome() {
  // Until a session exists every visit starts at sign-in.
  redirect('/sign-in');
}
