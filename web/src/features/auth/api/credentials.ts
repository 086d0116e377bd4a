/** What the setup and sign-in forms send. */
export type Credentials = {
  email: string;
  password: string;
};
