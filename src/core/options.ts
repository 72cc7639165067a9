/** Turns zod validation failures into one readable line naming each bad field. */
import { z } from 'zod';
import { fail } from './errors.js';

export function parseOptions<S extends z.ZodTypeAny>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  fail(`${what}: ${formatIssues(result.error)}`);
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
