// What the server accepts for an account's email and password (the brief's limits),
// checked before sending so the person hears it at once, in their language.

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** The `auth.errors.*` key of what is wrong with an email, or null. */
export function emailProblem(value: string): 'emailRequired' | 'emailFormat' | 'emailTooLong' | null {
  const email = value.trim();
  if (email === '') return 'emailRequired';
  if (email.length > EMAIL_MAX) return 'emailTooLong';
  // The server decides for good; this only catches a slip (no @, a space).
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return 'emailFormat';
  return null;
}

/** The `auth.errors.*` key of what is wrong with a new password, or null. */
export function passwordProblem(value: string): 'passwordRequired' | 'passwordTooShort' | 'passwordTooLong' | null {
  if (value === '') return 'passwordRequired';
  if (value.length < PASSWORD_MIN) return 'passwordTooShort';
  if (value.length > PASSWORD_MAX) return 'passwordTooLong';
  return null;
}
