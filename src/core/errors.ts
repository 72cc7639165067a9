/**
 * An error the user can fix. The CLI prints only its message (one line) and exits with code 2;
 * anything else that escapes is a Glassbox bug.
 */
export class GlassboxError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'GlassboxError';
  }
}

export function fail(message: string): never {
  throw new GlassboxError(message);
}

export function isGlassboxError(e: unknown): e is GlassboxError {
  return e instanceof GlassboxError;
}
