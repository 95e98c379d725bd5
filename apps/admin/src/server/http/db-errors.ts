/**
 * Prisma's "unique constraint failed". Checked by its code, not with instanceof: Next.js may load
 * the Prisma runtime more than once (one copy per bundle), and a class from one copy fails
 * instanceof against another.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
